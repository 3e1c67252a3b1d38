// Networks: connectivity status (with "check now"), CIDR, gateway, pool use and leases per minute, one card each.
import {get, post, seg} from './api.js';
import {h, heading, notice, orDash, time, code} from './dom.js';

export async function render(container) {
  const [networks, statuses] = await Promise.all([get('/api/v1/networks'), get('/api/v1/connectivity')]);
  const byName = new Map(statuses.map(s => [s.network, s]));
  const stats = await Promise.all(networks.map(n => get('/api/v1/networks/' + seg(n.name) + '/stats')));
  container.append(heading('Networks'));
  if (networks.length === 0) {
    container.append(notice('No networks yet. Add one in the config file or with POST /api/v1/networks.'));
    return;
  }
  const list = h('div', {class: 'cards'});
  networks.forEach((n, i) => list.append(card(n, byName.get(n.name), stats[i])));
  container.append(list);
}

function card(network, status, stats) {
  const id = 'net-' + network.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const statusBox = h('div', {class: 'status-box', 'aria-live': 'polite'}, statusView(status));
  const button = h('button', {type: 'button', class: 'check', 'data-network': network.name}, 'Check now');
  button.setAttribute('aria-describedby', id + '-title');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Checking…';
    try {
      statusBox.replaceChildren(statusView(await post('/api/v1/networks/' + seg(network.name) + '/check')));
    } catch (e) {
      statusBox.replaceChildren(notice('Check failed: ' + e.message, 'error'));
    } finally {
      button.disabled = false;
      button.textContent = 'Check now';
      button.focus();
    }
  });
  return h('section', {class: 'card network', 'aria-labelledby': id + '-title', 'data-network': network.name},
      h('h2', {id: id + '-title'}, network.name),
      statusBox,
      button,
      h('dl', {class: 'facts'},
          fact('CIDR', network.cidr, 'cidr'),
          fact('Gateway', orDash(network.gateway), 'gateway'),
          fact('Bridge', orDash(network.bridge), 'bridge'),
          fact('Pools', network.pools.length ? network.pools.join(', ') : '—', 'pools'),
          fact('Reservations', String(network.reservations.length), 'reservations')),
      utilization(id, stats),
      leaseRate(stats),
      h('p', {class: 'links'},
          h('a', {href: '#/leases?network=' + encodeURIComponent(network.name)}, 'Leases of ' + network.name)));
}

function fact(term, value, key) {
  return [h('dt', {}, term), h('dd', {'data-field': key}, value)];
}

/**
 * Active / Inactive as the API says, and "Unknown" for a network whose first check has not run:
 * the API reports that as Inactive with reason "not checked yet" and no time.
 */
export function statusView(s) {
  if (!s) return h('p', {class: 'badge unknown', 'data-status': 'Unknown'}, 'Unknown: no status');
  const unknown = s.status === 'Inactive' && !s.checkedAt;
  const label = unknown ? 'Unknown' : s.status;
  return h('div', {},
      h('p', {class: 'badge ' + label.toLowerCase(), 'data-status': label},
          h('span', {class: 'dot', 'aria-hidden': 'true'}), label,
          s.reason ? h('span', {class: 'reason', 'data-field': 'reason'}, ': ' + s.reason) : null),
      s.detail ? h('p', {class: 'detail'}, code(s.detail)) : null,
      h('p', {class: 'checked'}, 'Checked ', time(s.checkedAt), ' · route ', s.mode));
}

function utilization(id, stats) {
  const pct = stats.size === 0 ? 0 : Math.round(stats.used * 1000 / stats.size) / 10;
  return h('div', {class: 'pool'},
      h('label', {for: id + '-meter'}, 'Pool use'),
      h('meter', {id: id + '-meter', min: '0', max: String(Math.max(stats.size, 1)), value: String(stats.used),
        high: String(Math.round(stats.size * 0.8)), optimum: '0'}, pct + '%'),
      h('p', {class: 'numbers', 'data-field': 'pool-numbers'},
          stats.used + ' used · ' + stats.free + ' free · ' + stats.size + ' in pools (' + pct + '% used)'));
}

/**
 * Leases granted (new and renewed) in the last complete minute, with the current minute so far and
 * the last quarter hour as a list a screen reader reads out (the API's leasesPerMinuteHistory).
 */
function leaseRate(stats) {
  const history = stats.leasesPerMinuteHistory || [];
  const peak = history.reduce((a, b) => Math.max(a, b), 0);
  return h('div', {class: 'rate'},
      h('p', {'data-field': 'lease-rate'},
          h('strong', {}, String(stats.leasesPerMinute)), ' leases per minute (last minute) · ',
          String(stats.leasesThisMinute), ' this minute so far'),
      h('p', {class: 'history', 'data-field': 'lease-history',
        title: 'Leases per minute, the last ' + history.length + ' minutes, oldest first'},
          'Last ' + history.length + ' min: ' + history.join(' ') + (peak > 0 ? ' (peak ' + peak + ')' : '')));
}
