// What the browser tests share: TAP lines (one per step, the plan at the end),
// the screenshots (each screen pictured is also read by axe-core: no serious
// or critical finding), the check that a page never shows an API's JSON, and
// a kiosk's code as the contract defines it.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { axeFindings } from './axe.mjs';

// tap('browser', dir, 'app-'): ok(cond, name, detail), step(name, fn), shot(page, name), plan() → exit code.
export function tap(suite, shots, filePrefix = '') {
  let n = 0;
  let failed = 0;
  function ok(cond, name, detail = '') {
    n += 1;
    if (cond) console.log(`ok ${n} - ${suite}: ${name}`);
    else {
      failed += 1;
      console.log(`not ok ${n} - ${suite}: ${name}`);
      if (detail) for (const line of String(detail).split('\n').slice(0, 20)) console.log(`#   ${line}`);
    }
    return cond;
  }
  async function step(name, fn) {
    try {
      const result = await fn();
      ok(result !== false, name, result === false ? 'the step found it otherwise' : '');
    } catch (err) {
      ok(false, name, err && err.stack ? err.stack : err);
    }
  }
  async function shot(page, name) {
    await page.screenshot({ path: path.join(shots, `${filePrefix}${name}.png`), fullPage: true });
    const findings = await axeFindings(page);
    ok(findings.length === 0, `axe-core finds nothing serious on the ${name} screen`, findings.join('\n'));
  }
  function plan() {
    console.log(`1..${n}`);
    return failed ? 1 : 0;
  }
  return { ok, step, shot, plan };
}

export async function noRawJson(page) {
  const text = await page.locator('body').innerText();
  if (text.includes('{"error"') || text.includes('"code":')) throw new Error(`raw JSON on the page: ${text.slice(0, 300)}`);
}

// ATT1.<kiosk_id>.<t>.<mac> for a kiosk's base64url secret (CONTRACT.md, "Proof of presence").
export function kioskCode(secret, id, t) {
  const mac = createHmac('sha256', Buffer.from(secret, 'base64url')).update(`${id}.${t}`).digest().subarray(0, 16);
  return `ATT1.${id}.${t}.${mac.toString('base64url')}`;
}
