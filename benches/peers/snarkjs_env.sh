# Sourced by the snarkjs peer scripts: a scratch directory with snarkjs 0.7.6, circom2 and
# circomlib installed from npm (pinned), removed on exit; `$bin` holds their commands and
# naive.circom is the naive data relation for `$n` values.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{"private": true}' > package.json
npm install --silent circom2@0.2.22 circomlib@2.0.5 snarkjs@0.7.6 >/dev/null 2>&1
bin="$work/node_modules/.bin"
sed "s/@N@/$n/" "$here/snarkjs_data.circom.in" > naive.circom
