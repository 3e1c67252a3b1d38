// The UI's shell: login, navigation (hash routes, so a reload keeps the page) and page rendering.
// Pages are modules exporting render(container, params) → Promise; they fetch what they show.
import * as api from './api.js';
import {notice} from './dom.js';
import * as networks from './networks.js';
import * as leases from './leases.js';
import * as vms from './vms.js';
import * as health from './health.js';

const PAGES = {networks, leases, vms, health};
const $ = id => document.getElementById(id);

function showLogin(message) {
  $('page').replaceChildren();
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

function parseHash() {
  const [page, query] = location.hash.replace(/^#\/?/, '').split('?');
  return {page: Object.hasOwn(PAGES, page) ? page : 'networks', params: new URLSearchParams(query || '')};
}

let rendering = 0;

async function route() {
  if (!api.token()) {
    showLogin();
    return;
  }
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  const {page, params} = parseHash();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const container = $('page');
  const mine = ++rendering;
  container.setAttribute('aria-busy', 'true');
  try {
    const fresh = document.createElement('div');
    await PAGES[page].render(fresh, params);
    if (mine !== rendering) return; // the user moved on meanwhile
    container.replaceChildren(...fresh.childNodes);
    document.title = 'vmaddr · ' + page;
    const h1 = container.querySelector('h1');
    if (h1 && document.activeElement === document.body) h1.focus();
  } catch (e) {
    if (mine !== rendering || !api.token()) return;
    container.replaceChildren(notice('Could not load: ' + e.message, 'error'));
  } finally {
    container.removeAttribute('aria-busy');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  api.whenUnauthorized(() => showLogin('The token is no longer accepted; log in again.'));
  $('login-form').addEventListener('submit', async event => {
    event.preventDefault();
    const candidate = $('token').value.trim();
    $('login-error').textContent = '';
    try {
      await api.login(candidate);
      $('token').value = '';
      route();
    } catch (e) {
      showLogin(e.status === 401 ? 'Wrong token: the API refused it.' : 'Could not log in: ' + e.message);
    }
  });
  $('logout').addEventListener('click', () => {
    api.forget();
    showLogin('Logged out.');
  });
  window.addEventListener('hashchange', route);
  route();
});
