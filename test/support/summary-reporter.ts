/**
 * Prints, after vitest's own summary, every skipped test with its reason and one plain
 * closing line: `tests: N passed, N failed, N skipped`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') failed += 1;
        else if (result.state === 'skipped') {
          skipped.push(`${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}${result.note ? ` — ${result.note}` : ''}`);
        }
      }
    }
    const out = (s: string) => process.stdout.write(`${s}\n`);
    if (skipped.length > 0) {
      out(`\nSkipped tests (${skipped.length}), with their reasons:`);
      for (const s of skipped) out(`  - ${s}`);
    }
    out(`\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
  }
}
