// Leases of one network, a page at a time with the API's cursor (the last IP of the page), so a
// network of a million leases is walked without loading it. Search by IP, MAC, hostname or VM.
import {ApiError, get, seg} from './api.js';
import {code, go, h, heading, notice, orDash, table, time} from './dom.js';

const PAGE = 50;
const STATES = ['offered', 'bound', 'released', 'expired', 'declined'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const MAC = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;

export async function render(container, params) {
  const [networks, vms] = await Promise.all([get('/api/v1/networks'), get('/api/v1/vms')]);
  container.append(heading('Leases'));
  if (networks.length === 0) {
    container.append(notice('No networks yet, so no leases.'));
    return;
  }
  const network = networks.some(n => n.name === params.get('network')) ? params.get('network') : networks[0].name;
  const q = (params.get('q') || '').trim();
  const by = q ? (params.get('by') || 'auto') : 'all';
  const state = STATES.includes(params.get('state')) ? params.get('state') : '';
  container.append(form(networks, network, q, params.get('by') || 'auto', state));

  const holders = holderIndex(vms);
  const kind = by === 'auto' ? await guess(q) : by;
  const result = h('div', {id: 'lease-results'});
  container.append(result);
  try {
    if (kind === 'ip') {
      await showOne(result, network, q, holders);
    } else if (kind === 'vm') {
      await showVm(result, q, holders);
    } else {
      await showPage(result, network, kind, q, state, params, holders);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) {
      result.append(notice('Not a valid search: ' + e.message, 'error'));
    } else {
      throw e;
    }
  }
}

function form(networks, network, q, by, state) {
  const f = h('form', {class: 'search', role: 'search', 'aria-label': 'Lease search'},
      field('lease-network', 'Network', h('select', {id: 'lease-network', name: 'network'},
          networks.map(n => h('option', {value: n.name, selected: n.name === network}, n.name)))),
      field('lease-q', 'Search', h('input', {id: 'lease-q', name: 'q', type: 'search', value: q,
        placeholder: 'IP, MAC, hostname or VM', autocomplete: 'off', spellcheck: 'false'})),
      field('lease-by', 'Search by', h('select', {id: 'lease-by', name: 'by'},
          [['auto', 'Guess from the text'], ['ip', 'IP'], ['mac', 'MAC'], ['hostname', 'Hostname'], ['vm', 'VM']]
              .map(([v, t]) => h('option', {value: v, selected: v === by}, t)))),
      field('lease-state', 'State', h('select', {id: 'lease-state', name: 'state'},
          h('option', {value: ''}, 'any'),
          STATES.map(s => h('option', {value: s, selected: s === state}, s)))),
      h('button', {type: 'submit'}, 'Search'));
  f.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(f);
    const params = {network: data.get('network')};
    if (data.get('q').trim()) {
      params.q = data.get('q').trim();
      params.by = data.get('by');
    }
    if (data.get('state')) params.state = data.get('state');
    go('leases', params);
  });
  return f;
}

function field(id, label, control) {
  return h('div', {class: 'field'}, h('label', {for: id}, label), control);
}

/** An IPv4 address or a MAC says what it is; other text is a VM's name if such a VM exists, else a hostname. */
async function guess(q) {
  if (IPV4.test(q)) return 'ip';
  if (MAC.test(q)) return 'mac';
  try {
    await get('/api/v1/vms/' + seg(q));
    return 'vm';
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return 'hostname';
    throw e;
  }
}

async function showOne(result, network, ip, holders) {
  try {
    const lease = await get('/api/v1/networks/' + seg(network) + '/leases/' + seg(ip));
    result.append(leaseTable('Lease of ' + ip + ' in ' + network, [lease], holders));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    result.append(notice('No lease for ' + ip + ' in ' + network + '.'));
  }
}

/** A VM's leases: by each NIC's MAC (spec and pending) in the NIC's network. */
async function showVm(result, name, holders) {
  const vm = await get('/api/v1/vms/' + seg(name));
  const found = [];
  for (const nic of vm.nics) {
    for (const mac of [nic.mac, nic.pendingMac].filter(Boolean)) {
      const page = await get('/api/v1/networks/' + seg(nic.network) + '/leases?limit=' + PAGE + '&mac=' + seg(mac));
      found.push(...page.items);
    }
  }
  result.append(found.length ? leaseTable('Leases of VM ' + vm.name, found, holders)
      : notice('VM ' + vm.name + ' holds no lease.'));
}

async function showPage(result, network, kind, q, state, params, holders) {
  const cursor = params.get('cursor');
  const trail = (params.get('trail') || '').split(',').filter(Boolean);
  const query = new URLSearchParams({limit: String(PAGE)});
  if (cursor) query.set('cursor', cursor);
  if (state) query.set('state', state);
  if (kind === 'mac') query.set('mac', q);
  if (kind === 'hostname') query.set('hostname', q);
  const page = await get('/api/v1/networks/' + seg(network) + '/leases?' + query);
  const what = kind === 'mac' ? ' with MAC ' + q : kind === 'hostname' ? ' with hostname containing "' + q + '"' : '';
  const caption = 'Leases in ' + network + what + (state ? ', state ' + state : '') + (cursor ? ', after ' + cursor : '');
  result.append(page.items.length ? leaseTable(caption, page.items, holders) : notice('No leases' + what + '.'));

  const base = {network};
  if (q) Object.assign(base, {q, by: params.get('by') || 'auto'});
  if (state) base.state = state;
  const nav = h('nav', {class: 'pager', 'aria-label': 'Lease pages'});
  if (cursor) {
    const first = h('button', {type: 'button'}, 'First page');
    first.addEventListener('click', () => go('leases', base));
    const prev = h('button', {type: 'button'}, 'Previous page');
    prev.addEventListener('click', () => {
      const back = trail.slice(0, -1);
      const p = {...base};
      if (trail.length) p.cursor = trail[trail.length - 1];
      if (back.length) p.trail = back.join(',');
      go('leases', p);
    });
    nav.append(first, prev);
  }
  if (page.nextCursor) {
    const next = h('button', {type: 'button', id: 'next-page'}, 'Next page');
    next.addEventListener('click', () => {
      // the trail of earlier cursors makes "Previous" work; bounded so the URL stays short
      const p = {...base, cursor: page.nextCursor};
      const t = cursor ? [...trail, cursor].slice(-40) : [];
      if (t.length) p.trail = t.join(',');
      go('leases', p);
    });
    nav.append(next);
  }
  nav.append(h('span', {class: 'count'}, page.items.length + ' shown' + (page.nextCursor ? ', more follow' : '')));
  result.append(nav);
}

/** MAC → "vm/nic" for every VM NIC, to name the holder of a lease. */
function holderIndex(vms) {
  const m = new Map();
  for (const vm of vms) {
    for (const nic of vm.nics) {
      for (const mac of [nic.mac, nic.pendingMac].filter(Boolean)) m.set(mac, vm.name + '/' + nic.name);
    }
  }
  return m;
}

function leaseTable(caption, leases, holders) {
  const rows = leases.map(l => h('tr', {'data-ip': l.ip},
      h('td', {}, code(l.ip)),
      h('td', {}, code(l.mac)),
      h('td', {}, h('span', {class: 'state ' + l.state}, l.state)),
      h('td', {}, time(l.expiresAt)),
      h('td', {}, holder(l, holders)),
      h('td', {}, orDash(l.hostname)),
      h('td', {}, l.clientId ? code(l.clientId) : '—')));
  return table(caption, ['IP', 'MAC', 'State', 'Expires', 'Holder', 'Hostname', 'Client id'], rows, {class: 'leases'});
}

function holder(lease, holders) {
  const vmNic = holders.get(lease.mac);
  if (!vmNic) return 'unknown to the inventory';
  return h('a', {href: '#/vms?vm=' + encodeURIComponent(vmNic.split('/')[0])}, 'VM ' + vmNic);
}
