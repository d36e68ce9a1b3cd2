// Prints one plain closing line, "N passed, N failed, N skipped", after Jest's own summary, so that
// CI logs (and any tool reading them) get the counts in a fixed form; before it, the reason of every
// test skipped with one (a title holding "(skipped: ...)"), once each.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const reasons = new Set();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== 'pending') continue;
        const reason = /\(skipped: ([^)]*)\)/.exec([...test.ancestorTitles, test.title].join(' '));
        if (reason) reasons.add(reason[1]);
      }
    }
    for (const reason of reasons) process.stdout.write(`skipped: ${reason}\n`);
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(
      `tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
