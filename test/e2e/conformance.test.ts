/**
 * The ledger adapter conformance suite (ledgers/conformance/) against the built-in bitcoind
 * adapter on devnet main and side node processes.
 */
import '../../ledgers/conformance/devnet-conformance.js';
