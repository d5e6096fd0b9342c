// Mocha configuration. The default spec (every test file) applies only when no test file is
// named on the command line, so `npx mocha test/x.test.ts` runs that file alone (a spec in a
// config file is otherwise added to the files named on the command line).
const named = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg));

module.exports = {
  require: ["tsx/cjs"],
  extension: ["ts"],
  ...(named ? {} : { spec: ["test/**/*.test.ts"] }),
  timeout: 600000,
  recursive: true,
  exit: true,
};
