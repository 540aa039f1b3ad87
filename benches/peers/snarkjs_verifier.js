// Renders snarkjs's own Solidity Groth16 verifier (its templates/verifier_groth16.sol.ejs, as
// `snarkjs zkey export solidityverifier` does) for a verification_key.json, on stdout.
// Usage: NODE_PATH=… node benches/peers/snarkjs_verifier.js verification_key.json
const fs = require("fs");
const path = require("path");
const ejs = require("ejs");
// The package's exports hide its files; find it on NODE_PATH.
const roots = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
const template = roots.map((root) => path.join(root, "snarkjs", "templates", "verifier_groth16.sol.ejs")).find(fs.existsSync);
const vk = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
process.stdout.write(ejs.render(fs.readFileSync(template, "utf8"), vk));
