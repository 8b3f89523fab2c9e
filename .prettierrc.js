// Backstage's style (@backstage/cli/config/prettier) at the line width this
// code base is written to: 160 keeps a declaration or a test row on one line.
module.exports = {
  ...require('@backstage/cli/config/prettier.json'),
  printWidth: 160,
};
