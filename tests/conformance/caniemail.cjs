// Runs @jsx-email/doiuse-email (the caniemail.com data) over HTML mail files.
// Usage: node caniemail.cjs CLIENT-GLOBS-JSON FILE...; prints {file: {errors, notes}}.
const fs = require("fs");
const { doIUseEmail } = require("@jsx-email/doiuse-email");

const clients = JSON.parse(process.argv[2]);
const report = {};
for (const file of process.argv.slice(3)) {
  const result = doIUseEmail(fs.readFileSync(file, "utf8"), { emailClients: clients });
  report[file] = { errors: result.errors || [], notes: result.notes || [] };
}
process.stdout.write(JSON.stringify(report));
