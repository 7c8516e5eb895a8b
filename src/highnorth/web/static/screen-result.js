// The screen view's answer: the outcome, the obligations with their due dates, every reason (as
// `highnorth explain` lists them) and the table of the zones crossed with entry/exit time, place
// and altitude band. Everything from the server or the user goes in as text (textContent).
import { OUTCOMES } from './map.js';
import { utcAndOslo } from './state.js';

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const utc = (iso) => (iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—');
export const placeText = (p) => (p ? `${p[1].toFixed(3)}° N, ${p[0].toFixed(3)}° E` : '—');

export function bandText(band) {
  if (!band || (band.lower_m == null && band.upper_m == null)) return 'any altitude';
  const m = (v, open) => (v == null ? open : `${Math.round(v).toLocaleString('en-GB')} m`);
  return `${m(band.lower_m, 'SFC')} – ${m(band.upper_m, 'UNL')} AMSL`;
}

function partText(part) {
  if (!part) return '—';
  if (part.kind === 'track') return `track ${part.from} → ${part.to}`;
  if (part.kind === 'area') return `${part.share} % of the area`;
  return part.kind;
}

function badge(basis) {
  return el('span', `basis ${basis}`, basis === 'assumption' ? 'assumption ⚠' : basis);
}

export function renderOutcome(box, decision, policy) {
  const o = OUTCOMES.find((x) => x.id === decision.outcome);
  const head = el('div', `outcome-head ${decision.outcome}`);
  head.dataset.outcome = decision.outcome;
  head.append(el('span', `swatch ${decision.outcome}`), el('strong', '', o ? o.label : decision.outcome));
  if (o) head.append(el('span', 'hint', o.text));
  head.append(el('span', 'id', decision.activity));
  const versions = el('p', 'hint', `Policy ${policy.id}, version ${decision.versions.join(', ')} · ${policy.hash.slice(0, 19)}…`);
  versions.title = policy.hash;
  box.replaceChildren(head, versions);
}

export function renderObligations(list, obligations) {
  if (!obligations.length) return list.replaceChildren(el('li', 'hint', 'None.'));
  list.replaceChildren(
    ...obligations.map((ob) => {
      const li = el('li', 'obligation');
      li.append(el('p', '', ''), el('p', 'due', `Due ${utcAndOslo(ob.due)}`));
      li.firstChild.append(el('strong', '', ob.type.replaceAll('_', ' ')), ` — ${ob.authority}`);
      li.append(el('p', 'hint', `${ob.notice_days} days' notice · ${ob.text}`));
      li.append(el('p', 'hint', `Rules: ${ob.rules.join(', ')}`));
      return li;
    }),
  );
}

export function renderReasons(list, reasons) {
  list.replaceChildren(
    ...reasons.map((r) => {
      const li = el('li', 'rule');
      li.dataset.rule = r.rule;
      const title = el('p', 'rule-title');
      title.append(el('span', `effect ${r.effect}`, r.effect), el('strong', '', r.title));
      const meta = el('p', 'rule-meta');
      meta.append(el('code', '', r.rule), badge(r.basis), ` version ${r.version}`);
      li.append(title, meta);
      if (r.zone) {
        li.append(el('p', 'rule-zones', `Zone: ${r.zone}`));
        li.append(el('p', 'rule-times', `Enter ${utc(r.enter)} at ${placeText(r.where)} · exit ${utc(r.exit)} at ${placeText(r.exit_where)}`));
      } else if (r.enter || r.exit) {
        li.append(el('p', 'rule-times', `${utc(r.enter)} – ${utc(r.exit)}`));
      }
      li.append(el('p', 'rule-source', `Source: ${r.source || 'not given'}`));
      if (r.detail) li.append(el('p', 'rule-meta', `Detail: ${r.detail}`));
      return li;
    }),
  );
}

// One row per exposure (zone, entry, exit), with the rules that name it.
export function exposures(reasons) {
  const rows = new Map();
  for (const r of reasons) {
    if (!r.zone || !r.where) continue;
    const key = `${r.zone}|${r.enter}|${r.exit}`;
    if (!rows.has(key)) rows.set(key, { ...r, rules: [] });
    rows.get(key).rules.push(r.rule);
  }
  return [...rows.values()].sort((a, b) => (a.enter < b.enter ? -1 : a.enter > b.enter ? 1 : a.zone < b.zone ? -1 : 1));
}

export function renderZones(tbody, rows) {
  tbody.replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement('tr');
      tr.dataset.zone = r.zone;
      const entryPlace = el('td');
      entryPlace.append(el('span', 'pin entry'), placeText(r.where));
      const exitPlace = el('td');
      exitPlace.append(el('span', 'pin exit'), placeText(r.exit_where));
      const zone = el('td');
      zone.append(el('code', '', r.zone));
      tr.append(
        el('td', '', String(i + 1)), zone, el('td', '', r.rules.join(', ')), el('td', '', utc(r.enter)), entryPlace,
        el('td', '', utc(r.exit)), exitPlace, el('td', '', bandText(r.altitude)), el('td', '', partText(r.part)),
      );
      return tr;
    }),
  );
}
