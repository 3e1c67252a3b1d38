// The history of one VM NIC (who held its MAC's addresses when, MAC and reservation changes), newest
// first, a page at a time with the API's cursor; "Older events" asks for the next page and the
// cursors walked are kept in the URL, so reload and Back show the same page.
import {get} from './api.js';
import {code, go, h, notice, orDash, table, time} from './dom.js';

export const PAGE = 10;

/** A section for NIC {@code nic} of {@code vm}, from params hcursor (this page) and htrail (earlier pages). */
export async function nicHistory(vm, nic, params) {
  const id = 'history-' + (vm.name + '-' + nic.name).replace(/[^A-Za-z0-9_-]/g, '_');
  const section = h('section', {class: 'card history', 'aria-labelledby': id, 'data-history': vm.name + '/' + nic.name},
      h('h2', {id}, 'History of ' + vm.name + ' / ' + nic.name));
  const query = new URLSearchParams({limit: String(PAGE)});
  // the MAC's events are the NIC's leases and its MAC's owners; a NIC without a MAC yet has only the VM's events
  if (nic.mac) query.set('mac', nic.mac); else query.set('vm', vm.name);
  const cursor = params.get('hcursor');
  const trail = params.get('htrail') ? params.get('htrail').split(',') : [];
  if (cursor) query.set('cursor', cursor);
  const page = await get('/api/v1/history?' + query.toString());
  if (page.items.length === 0) {
    section.append(notice(cursor ? 'No older events.' : 'No events yet for ' + (nic.mac || vm.name) + '.'));
  } else {
    const rows = page.items.map(e => h('tr', {'data-kind': e.kind},
        h('td', {}, time(e.at)), h('th', {scope: 'row'}, e.kind),
        h('td', {}, e.ip ? code(e.ip) : '—'), h('td', {}, e.mac ? code(e.mac) : '—'),
        h('td', {}, e.vm ? e.vm + (e.nic ? '/' + e.nic : '') : '—'), h('td', {'data-field': 'actor'}, orDash(e.actor)),
        h('td', {}, orDash(e.detail))));
    section.append(table('Events of ' + vm.name + '/' + nic.name + ', newest first',
        ['When', 'Kind', 'IP', 'MAC', 'VM/NIC', 'Actor', 'Detail'], rows, {class: 'history-events'}));
  }
  const base = {vm: vm.name, nic: nic.name};
  const nav = h('nav', {class: 'pager', 'aria-label': 'History pages of ' + vm.name + '/' + nic.name});
  if (cursor) {
    const newer = h('button', {type: 'button'}, 'Newer events');
    newer.addEventListener('click', () => {
      const p = {...base};
      if (trail.length) p.hcursor = trail[trail.length - 1];
      if (trail.length > 1) p.htrail = trail.slice(0, -1).join(',');
      go('vms', p);
    });
    nav.append(newer);
  }
  if (page.nextCursor) {
    const older = h('button', {type: 'button', id: 'older-events'}, 'Older events');
    older.addEventListener('click', () => {
      const p = {...base, hcursor: page.nextCursor};
      const t = cursor ? [...trail, cursor].slice(-20) : []; // bounded so the URL stays short
      if (t.length) p.htrail = t.join(',');
      go('vms', p);
    });
    nav.append(older);
  }
  nav.append(h('span', {class: 'count'}, page.items.length + ' shown' + (page.nextCursor ? ', older follow' : '')));
  section.append(nav);
  return section;
}

/** The link of a NIC row to its history. */
export function historyLink(vm, nic) {
  return h('a', {href: '#/vms?' + new URLSearchParams({vm: vm.name, nic: nic.name}).toString(),
    class: 'history-link', 'aria-label': 'History of ' + vm.name + '/' + nic.name}, 'History');
}
