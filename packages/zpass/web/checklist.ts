/**
 * The live requirement checklist of the new-password pages: as the user types,
 * each item of the account's requirement is marked met or not met, with the rules
 * of @zpass/policy (bundled by scripts/build-web.mjs). The page works without it:
 * the server then shows the same items after the form is sent.
 */
import type { PasswordRequirement } from '@zpass/policy';
import { unmetItems } from '../src/web/checklist-rules.js';

function start(): void {
  const list = document.getElementById('requirements');
  const password = document.getElementById('new_password');
  const confirm = document.getElementById('confirm_password');
  const summary = document.getElementById('requirements-summary');
  if (!list || !(password instanceof HTMLInputElement) || !(confirm instanceof HTMLInputElement)) return;
  const requirement = JSON.parse(list.dataset.requirement ?? '{}') as PasswordRequirement;
  const items = [...list.querySelectorAll<HTMLLIElement>('li[data-rule]')].filter(
    (li) => li.dataset.live === 'true',
  );
  let last = '';
  const update = () => {
    const unmet = unmetItems(password.value, confirm.value, requirement);
    let met = 0;
    for (const li of items) {
      const ok = !unmet.has(li.dataset.rule as never);
      if (ok) met++;
      li.classList.toggle('met', ok);
      li.classList.toggle('unmet', !ok);
      const state = li.querySelector('.state');
      if (state) state.textContent = ok ? 'met: ' : 'not met: ';
    }
    const text = `${met} of ${items.length} requirements met.`;
    // Announced only when it changes, so that a screen reader is not repeated at every key.
    if (summary && text !== last) summary.textContent = text;
    last = text;
  };
  password.addEventListener('input', update);
  confirm.addEventListener('input', update);
  if (password.value || confirm.value) update();
}

start();
