// VMs: each NIC's spec, pending and observed MAC side by side with its addresses; where they
// disagree (drift) the NIC is marked and the finding is listed with its fix.
import {get, seg} from './api.js';
import {code, go, h, heading, notice, orDash, table, time} from './dom.js';
import {historyLink, nicHistory} from './history.js';

export async function render(container, params) {
  const all = await get('/api/v1/vms');
  const only = params.get('vm');
  const vms = only ? all.filter(v => v.name === only) : all;
  const drifts = await Promise.all(vms.map(v => get('/api/v1/vms/' + seg(v.name) + '/drift')));
  container.append(heading(only ? 'VM ' + only : 'VMs'));
  if (only) {
    const everyVm = h('button', {type: 'button', class: 'quiet'}, 'Show every VM');
    everyVm.addEventListener('click', () => go('vms'));
    container.append(everyVm);
  }
  if (vms.length === 0) {
    container.append(notice(only ? 'No VM named ' + only + '.' : 'No VMs yet. Add them with POST /api/v1/vms or vmaddr vm create.'));
    return;
  }
  const drifting = drifts.filter(d => d.findings.length > 0).length;
  container.append(notice(vms.length + ' VMs, ' + (drifting ? drifting + ' with drift.' : 'none with drift.')));
  vms.forEach((vm, i) => container.append(vmCard(vm, drifts[i].findings)));
  const nicName = only ? params.get('nic') : null;
  const nic = nicName ? vms[0].nics.find(n => n.name === nicName) : null;
  if (nicName && !nic) container.append(notice('VM ' + only + ' has no NIC ' + nicName + '.', 'error'));
  if (nic) container.append(await nicHistory(vms[0], nic, params));
}

function vmCard(vm, findings) {
  const id = 'vm-' + vm.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const driftNics = new Set(findings.map(f => f.nic));
  const rows = vm.nics.map(n => h('tr', {class: driftNics.has(n.name) ? 'drift' : null, 'data-nic': n.name},
      h('th', {scope: 'row'}, n.name, driftNics.has(n.name) ? h('span', {class: 'flag'}, ' drift') : null),
      h('td', {}, n.network),
      h('td', {'data-field': 'mac'}, mac(n.mac)),
      h('td', {'data-field': 'pendingMac'}, mac(n.pendingMac)),
      h('td', {'data-field': 'observedMac'}, mac(n.observed && n.observed.mac)),
      h('td', {'data-field': 'ip'}, n.ip ? code(n.ip) : '—'),
      h('td', {'data-field': 'ipv6Slaac'}, n.ipv6Slaac ? code(n.ipv6Slaac) : '—'),
      h('td', {'data-field': 'ipv6'}, n.ipv6 ? code(n.ipv6) : '—'),
      h('td', {}, observedFrom(n.observed)),
      h('td', {}, historyLink(vm, n))));
  return h('section', {class: 'card vm', 'aria-labelledby': id + '-title', 'data-vm': vm.name},
      h('h2', {id: id + '-title'}, vm.name),
      h('p', {class: 'meta'}, 'State ', h('strong', {}, vm.state), ' · host ', orDash(vm.host)),
      table('NICs of ' + vm.name,
          ['NIC', 'Network', 'Spec MAC', 'Pending MAC', 'Observed MAC', 'IP', 'SLAAC address', 'DHCPv6 address', 'Observed', 'History'], rows, {class: 'nics'}),
      findings.length ? driftList(id, findings) : h('p', {class: 'ok'}, 'No drift: spec, pending and observed agree.'));
}

function mac(value) {
  return value ? code(value) : '—';
}

function observedFrom(o) {
  if (!o) return 'not reported';
  return h('span', {}, o.source + (o.interfaceName ? ' (' + o.interfaceName + ')' : '') + ', ',
      time(o.at), o.ips && o.ips.length ? h('br') : null, o.ips && o.ips.length ? o.ips.join(', ') : null);
}

function driftList(id, findings) {
  return h('div', {class: 'findings drift-findings', role: 'group', 'aria-labelledby': id + '-drift'},
      h('h3', {id: id + '-drift'}, 'Drift (' + findings.length + ')'),
      h('ul', {}, findings.map(f => h('li', {class: 'finding', 'data-kind': f.kind},
          h('strong', {}, f.kind), ' on ', f.nic, ': expected ', code(orDash(f.expected)),
          ', observed ', code(orDash(f.observed)),
          f.fix ? h('div', {class: 'fix'}, 'Fix: ', code(f.fix)) : null))));
}
