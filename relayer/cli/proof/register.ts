/** Registers `utxo-relay proof ...`: the proof library's checks for operators and scripts. */
import { Command } from 'commander';
import { networkOption } from './network-option.js';
import type { SetExit } from './output.js';
import { proofBlock } from './proof-block.js';
import { proofBranch } from './proof-branch.js';
import { proofHeaders } from './proof-headers.js';
import { proofTxout } from './proof-txout.js';

export function registerProofCommands(program: Command, setExit: SetExit): void {
  const proof = program
    .command('proof')
    .description('check headers, blocks and inclusion proofs; prints one JSON object, exit 0 valid, 1 invalid, 2 usage error');

  proof
    .command('headers')
    .description('validate a file of hex headers (one a line; "fork:" marks another branch; "-" reads stdin)')
    .addOption(networkOption())
    .option('--anchor-height <H>', 'the first header in FILE is a trusted anchor at height H (a retarget boundary); default: start at genesis')
    .argument('<FILE>')
    .action(async (file: string, options: { network: string; anchorHeight?: string }) => setExit(await proofHeaders(file, options)));

  proof
    .command('block')
    .description('check a full raw block: Merkle root (and mutation), witness commitment, proof of work')
    .addOption(networkOption())
    .argument('<FILE_OR_HEX>', 'a file holding the block (raw bytes or hex), or the hex itself')
    .action((input: string, options: { network: string }) => setExit(proofBlock(input, options)));

  proof
    .command('txout')
    .description("check a merkleblock / gettxoutproof payload and list the txids it proves")
    .addOption(networkOption())
    .argument('<HEX>')
    .action((hex: string, options: { network: string }) => setExit(proofTxout(hex, options)));

  proof
    .command('branch')
    .description('check an Electrum-style Merkle branch: txid at index hashes up to root')
    .requiredOption('--txid <T>', 'the transaction id (display order)')
    .requiredOption('--index <I>', "the transaction's position in the block")
    .requiredOption('--root <R>', "the block's Merkle root (display order)")
    .option('--tx-count <N>', "the block's transaction count: also checks the branch depth and where duplicates may appear")
    .argument('[HASH...]', 'the branch, from the leaf level up (display order)')
    .action((hashes: string[], options: { txid: string; index: string; root: string; txCount?: string }) => setExit(proofBranch(hashes, options)));
}
