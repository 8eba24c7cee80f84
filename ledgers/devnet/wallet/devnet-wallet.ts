/**
 * The devnet wallet: P2WPKH keys from a WalletFile, coins found with the node's `scantxoutset`,
 * payments built and signed locally and sent with `sendrawtransaction`. Besides plain sends it
 * makes the bridge's two user actions: `lock` (main chain: pay the federation's lock with a
 * `UBR1 0x01` memo naming a side-chain destination) and `burn` (side chain: an `OP_RETURN UBR1 0x02`
 * output naming a main-chain destination, carrying the amount).
 */
import { bytesToHex, displayToHash, equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { encodeMemo } from '../../../proofs/bitcoin/memo.js';
import type { TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { addressToScriptPubKey, scriptPubKeyToAddress } from '../../bitcoin/address.js';
import { formatCoins, parseCoins } from '../../bitcoin/amount.js';
import { lockScriptPubKey, type Federation } from '../../bitcoin/lock-script.js';
import type { JsonRpcClient } from '../../rpc/json-rpc-client.js';
import type { DevnetRole } from '../chain-api.js';
import { DEFAULT_COINBASE_MATURITY, devnetNetwork } from '../params.js';
import { buildSignedPayment, type SignedPayment, type SpendableCoin } from './build-payment.js';
import { WalletError } from './wallet-error.js';
import type { WalletFile, WalletKey } from './wallet-file.js';

export interface WalletOptions {
  /** Base units per virtual byte; default: the node's estimatesmartfee, at least 1. */
  readonly feeRate?: number;
  /** Confirmations a coinbase output needs before it is spent (the node's --coinbase-maturity). */
  readonly coinbaseMaturity?: number;
}

export interface SentPayment extends SignedPayment {
  readonly txid: string;
}

interface ScanResult {
  height: number;
  unspents: { txid: string; vout: number; scriptPubKey: string; amount: number; height: number; coinbase?: boolean }[];
}

export class DevnetWallet {
  private role: DevnetRole | undefined;

  constructor(
    private readonly file: WalletFile,
    private readonly rpc: JsonRpcClient,
    private readonly options: WalletOptions = {},
  ) {}

  /** Which devnet chain the node serves, told by its genesis block hash. */
  async chainRole(): Promise<DevnetRole> {
    if (this.role !== undefined) return this.role;
    const genesis = displayToHash(await this.rpc.call<string>('getblockhash', [0]), 'getblockhash(0)');
    for (const role of ['main', 'side'] as const) {
      if (equalBytes(genesis, devnetNetwork(role).genesisHashLE)) return (this.role = role);
    }
    throw new WalletError('NODE_REFUSED', `${this.rpc.displayUrl} is not a devnet node (unknown genesis ${hashToDisplay(genesis)})`);
  }

  async hrp(): Promise<string> {
    return devnetNetwork(await this.chainRole()).hrp;
  }

  async address(key: WalletKey): Promise<string> {
    return scriptPubKeyToAddress(await this.hrp(), key.scriptPubKey)!;
  }

  /** Confirmed, spendable coins of every wallet key. */
  async coins(): Promise<SpendableCoin[]> {
    const keys = this.file.keys();
    if (keys.length === 0) return [];
    const scan = await this.rpc.call<ScanResult>('scantxoutset', ['start', keys.map((k) => `raw(${bytesToHex(k.scriptPubKey)})`)]);
    const maturity = this.options.coinbaseMaturity ?? DEFAULT_COINBASE_MATURITY;
    return scan.unspents
      .filter((u) => u.coinbase !== true || scan.height - u.height + 1 >= maturity)
      .map((u) => {
        const key = keys.find((k) => bytesToHex(k.scriptPubKey) === u.scriptPubKey);
        if (key === undefined) throw new WalletError('NODE_REFUSED', `scantxoutset returned a coin of another script (${u.scriptPubKey})`);
        return { txidLE: displayToHash(u.txid), vout: u.vout, output: { value: parseCoins(u.amount.toFixed(8)), scriptPubKey: key.scriptPubKey }, privateKey: key.privateKey };
      });
  }

  async balance(): Promise<{ spendable: bigint; coins: number }> {
    const coins = await this.coins();
    return { spendable: coins.reduce((s, c) => s + c.output.value, 0n), coins: coins.length };
  }

  async send(toAddress: string, amount: bigint): Promise<SentPayment> {
    const scriptPubKey = addressToScriptPubKey(await this.hrp(), toAddress);
    return this.pay([{ value: amount, scriptPubKey }]);
  }

  /** Main chain: pays `amount` to the federation's lock, with the memo naming `sideAddress`. */
  async lock(amount: bigint, sideAddress: string, federation: Federation): Promise<SentPayment & { lockAddress: string }> {
    if ((await this.chainRole()) !== 'main') throw new WalletError('NODE_REFUSED', 'lock is a main-chain action: point --rpc at the main devnet node');
    const destinationScript = addressToScriptPubKey(devnetNetwork('side').hrp, sideAddress);
    const lockScript = lockScriptPubKey(federation);
    const sent = await this.pay([
      { value: amount, scriptPubKey: lockScript },
      { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript }) },
    ]);
    return { ...sent, lockAddress: scriptPubKeyToAddress(devnetNetwork('main').hrp, lockScript)! };
  }

  /** Side chain: burns `amount` pegged coins, the memo naming `mainAddress` for the release. */
  async burn(amount: bigint, mainAddress: string): Promise<SentPayment> {
    if ((await this.chainRole()) !== 'side') throw new WalletError('NODE_REFUSED', 'burn is a side-chain action: point --rpc at the side devnet node');
    const destinationScript = addressToScriptPubKey(devnetNetwork('main').hrp, mainAddress);
    return this.pay([{ value: amount, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript }) }], amount);
  }

  /** Builds, signs and broadcasts; `burning` is the value it sends to OP_RETURN on purpose (sendrawtransaction's maxburnamount). */
  private async pay(outputs: TxOutput[], burning = 0n): Promise<SentPayment> {
    const coins = await this.coins();
    const feeRate = this.options.feeRate ?? (await this.estimateFeeRate());
    const payment = buildSignedPayment({ coins, outputs, feeRate, changeScript: this.file.primaryKey().scriptPubKey });
    const params = burning === 0n ? [bytesToHex(payment.raw)] : [bytesToHex(payment.raw), 0.1, Number(formatCoins(burning))];
    const txid = await this.rpc.call<string>('sendrawtransaction', params);
    if (txid !== hashToDisplay(payment.txidLE)) throw new WalletError('NODE_REFUSED', `the node answered txid ${txid} for transaction ${hashToDisplay(payment.txidLE)}`);
    return { ...payment, txid };
  }

  private async estimateFeeRate(): Promise<number> {
    const estimate = await this.rpc.call<{ feerate?: number }>('estimatesmartfee', [2]);
    // feerate is in coins per 1000 virtual bytes
    return estimate.feerate === undefined ? 1 : Math.max(1, Math.ceil((estimate.feerate * 1e8) / 1000));
  }
}
