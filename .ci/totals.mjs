// Prints the suite's totals as one plain line and exits non-zero when anything failed.
// Usage: node .ci/totals.mjs <vitest-json-report> <number-of-failed-steps> <exit-status-of-npm-test>
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, failedStepsText = '0', testStatusText = '0'] = process.argv.slice(2);
const failedSteps = Number(failedStepsText) || 0;
const testStatus = Number(testStatusText) || 0;
let passed = 0;
let failed = 0;
if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A test file that fails to load, or an unhandled error, fails the run without failing a test.
  if (report.success === false && failed === 0) failed = 1;
} else {
  failed = 1;
}
// The run can fail outside any test: the suite-wide leak check, or an error between files.
if (testStatus !== 0 && failed === 0) failed = 1;
failed += failedSteps;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
