// Carvel kapp, a benchmark peer (`npm run setup -- --only peers`); never needed by npm test.
module syncwave.dev/peers/kapp

go 1.26

tool carvel.dev/kapp/cmd/kapp

require carvel.dev/kapp v0.66.0
