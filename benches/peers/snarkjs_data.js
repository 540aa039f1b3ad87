// Times snarkjs 0.7.6 Groth16 in-process (witness + prove, verify) on the compiled NaiveData
// circuit; prints one JSON object. Usage: node snarkjs_data.js DIR VALUES RUNS
const snarkjs = require("snarkjs");
const fs = require("fs");
async function main() {
    const [dir, n, runs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] || 5)];
    const input = { values: Array.from({ length: n }, (_, i) => String((i * 40503) % 65536)) };
    const wasm = `${dir}/naive_js/naive.wasm`, zkey = `${dir}/naive.zkey`;
    const vk = JSON.parse(fs.readFileSync(`${dir}/vk.json`));
    const prove = [], verify = [];
    let ok = true;
    for (let r = 0; r < runs; r++) {
        let t = process.hrtime.bigint();
        const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, wasm, zkey);
        prove.push(Number(process.hrtime.bigint() - t) / 1e9);
        t = process.hrtime.bigint();
        ok = ok && await snarkjs.groth16.verify(vk, publicSignals, proof);
        verify.push(Number(process.hrtime.bigint() - t) / 1e9);
    }
    const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    console.log(JSON.stringify({ values: n, prove_seconds_median: median(prove), verify_seconds_median: median(verify), verified: ok }));
    process.exit(0);
}
main();
