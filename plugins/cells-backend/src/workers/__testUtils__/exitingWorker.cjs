/* A worker entry that ends its thread on every task, as a crash (or an out-of-memory kill of the thread) would. */
module.exports = function exitingWorker() {
  process.exit(3);
};
