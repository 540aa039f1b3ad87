// Compiles Solidity sources with solcjs (standard JSON, optimizer on, 200 runs) and prints
// {"ContractName": {"bytecode": "0x…", "deployed": "0x…"}, …, "errors": [...]} on stdout.
// Usage: node scripts/solc.js FILE.sol [FILE.sol …]   (solc from NODE_PATH; see scripts/solc.sh)
const fs = require("fs");
const path = require("path");
const solc = require("solc");
const sources = {};
for (const file of process.argv.slice(2)) {
    sources[path.basename(file)] = { content: fs.readFileSync(file, "utf8") };
}
const input = {
    language: "Solidity",
    sources,
    settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: "cancun",
        outputSelection: { "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const result = { errors: (output.errors || []).filter((e) => e.severity === "error").map((e) => e.formattedMessage) };
for (const file of Object.keys(output.contracts || {})) {
    for (const [name, contract] of Object.entries(output.contracts[file])) {
        result[name] = { bytecode: "0x" + contract.evm.bytecode.object, deployed: "0x" + contract.evm.deployedBytecode.object };
    }
}
process.stdout.write(JSON.stringify(result));
process.exitCode = result.errors.length ? 1 : 0; // not process.exit: it would cut a piped stdout short
