// Connectivity and doctor findings, per network: the route status with its evidence (detail), the
// host-side doctor's findings (read-only: no probes) with their fix commands, and MACs that leased
// on the network but belong to no VM NIC.
import {get, seg} from './api.js';
import {code, h, heading, notice} from './dom.js';
import {statusView} from './networks.js';

const SEVERITY = {error: 0, warning: 1, info: 2};

export async function render(container) {
  const [networks, statuses, doctor] = await Promise.all(
      [get('/api/v1/networks'), get('/api/v1/connectivity'), get('/api/v1/doctor')]);
  const unknownMacs = await Promise.all(networks.map(n => get('/api/v1/networks/' + seg(n.name) + '/drift')));
  container.append(heading('Connectivity & doctor'));
  container.append(h('p', {}, 'The doctor here reads host state only (links, addresses, sysctls, packet filter). ',
      'For the probing checks (DHCP servers, duplicate addresses, path MTU) run ', code('vmaddr doctor'), ' on the host.'));
  const byName = new Map(statuses.map(s => [s.network, s]));
  const host = doctor.findings.filter(f => !f.network);
  if (host.length) container.append(section('host', 'Host-wide', null, host, []));
  networks.forEach((n, i) => container.append(section('net-' + n.name, n.name, byName.get(n.name),
      doctor.findings.filter(f => f.network === n.name), unknownMacs[i].findings)));
  if (networks.length === 0 && host.length === 0) container.append(notice('No networks and no findings.'));
}

function section(key, title, status, findings, macs) {
  const id = 'health-' + key.replace(/[^A-Za-z0-9_-]/g, '_');
  const sorted = [...findings].sort((a, b) => SEVERITY[a.severity] - SEVERITY[b.severity]);
  return h('section', {class: 'card health', 'aria-labelledby': id, 'data-network': status ? status.network : null},
      h('h2', {id}, title),
      status ? statusView(status) : null,
      sorted.length ? h('ul', {class: 'findings'}, sorted.map(finding))
          : h('p', {class: 'ok'}, 'Doctor: no findings.'),
      macs.length ? h('div', {class: 'findings'}, h('h3', {}, 'MACs unknown to the inventory'),
          h('ul', {}, macs.map(f => h('li', {class: 'finding', 'data-kind': f.kind},
              h('strong', {}, f.kind), ': ', code(f.observed || f.expected || ''), f.fix ? h('div', {class: 'fix'}, 'Fix: ', code(f.fix)) : null))))
          : null);
}

function finding(f) {
  return h('li', {class: 'finding sev-' + f.severity, 'data-check': f.check, 'data-severity': f.severity},
      h('span', {class: 'sev'}, f.severity), ' ', h('strong', {}, f.check), ': ', f.evidence,
      f.fix ? h('div', {class: 'fix'}, 'Fix: ', code(f.fix)) : null);
}
