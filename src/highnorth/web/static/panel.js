// The side panel: the legend, and the rules that apply at the selected place. Everything from
// the server or the user is put in the page as text (textContent), never as HTML.
import { OUTCOMES } from './map.js';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const km2 = (value) => `${Math.round(value).toLocaleString('en-GB')} km²`;

export function renderLegend(list, doc) {
  const areas = new Map((doc?.features ?? []).map((f) => [f.properties.outcome, f.properties.area_km2]));
  list.replaceChildren(
    ...OUTCOMES.map((o) => {
      const item = el('li', `legend-item ${areas.has(o.id) ? '' : 'absent'}`);
      item.dataset.outcome = o.id;
      item.append(el('span', `swatch ${o.id}`), el('strong', '', o.label), el('span', 'what', o.text));
      item.append(el('span', 'area', areas.has(o.id) ? km2(areas.get(o.id)) : 'nowhere'));
      return item;
    }),
  );
}

function badge(basis) {
  const node = el('span', `basis ${basis}`, basis === 'assumption' ? 'assumption ⚠' : basis);
  node.title = {
    official: 'from an official text',
    reported: 'reported, not confirmed from an official text',
    assumption: 'a modelling assumption of this dataset',
  }[basis] ?? basis;
  return node;
}

// rules: the rule documents that apply at the place; zones: id -> zone (list entry, with basis)
export function renderPlace(box, { outcome, place, rules, zones, defaultEffect, note }) {
  const o = OUTCOMES.find((x) => x.id === outcome);
  const head = el('p', 'place-head');
  head.append(el('span', `swatch ${outcome}`), el('strong', '', o ? o.label : outcome));
  head.append(el('span', 'coords', `${place[1].toFixed(3)}° N, ${place[0].toFixed(3)}° E`));
  const items = rules.map((rule) => {
    const li = el('li', 'rule');
    li.dataset.rule = rule.id;
    const title = el('p', 'rule-title');
    title.append(el('span', `effect ${rule.effect}`, rule.effect), el('strong', '', rule.title));
    const meta = el('p', 'rule-meta');
    meta.append(el('code', '', rule.id), badge(rule.basis));
    const zoneLine = el('p', 'rule-zones', 'Zones: ');
    for (const id of [...rule.zones, ...rule.also_in]) {
      const zone = zones.get(id);
      const z = el('span', `zone ${zone?.basis === 'assumption' ? 'assumed' : ''}`, zone?.name ?? id);
      zoneLine.append(z, zone ? badge(zone.basis) : '', ' ');
    }
    li.append(title, meta, zoneLine, el('p', 'rule-source', `Source: ${rule.source || 'not given'}`));
    if (rule.obligations.length) li.append(el('p', 'rule-meta', `Obligations: ${rule.obligations.join(', ')}`));
    if (rule.authority) li.append(el('p', 'rule-meta', `Authority: ${rule.authority}`));
    return li;
  });
  const list = el('ul', 'rules');
  list.append(...items);
  const parts = [head];
  if (!rules.length) parts.push(el('p', 'hint', `No rule names this place: the policy's default effect applies (${defaultEffect}).`));
  if (note) parts.push(el('p', 'hint', note));
  box.replaceChildren(...parts, list);
}
