// axe-core (from npm, tests/browser/package.json) run on the page as it is
// drawn: its serious and critical findings, one line each. The script goes in
// through the DevTools protocol (page.evaluate), which the page's strict
// Content-Security-Policy does not govern: the page itself is not changed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function axeFindings(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((node) => node.target.join(' ')).join('; ')})`);
}
