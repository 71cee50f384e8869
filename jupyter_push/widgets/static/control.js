// @ts-check
/**
 * Control widget view: the tile library's control tile. A value is published through the
 * server with the page's Jupyter credentials (token from the page config, else the login cookie
 * and its XSRF token), so a busy kernel hears it at once; where the page cannot reach the server
 * it goes as a comm message (applied when the kernel is idle).
 */

import { follow } from './host.js';
import { Card, ensureStyles } from './tiles.js';

/** @returns {{ baseUrl?: string, token?: string }} */
function pageConfig() {
  try {
    return JSON.parse(document.getElementById('jupyter-config-data')?.textContent || '{}');
  } catch {
    return {};
  }
}

/** @param {string} name */
function cookie(name) {
  const found = document.cookie.match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
  return found ? decodeURIComponent(found[1]) : '';
}

/**
 * POST the value to `{base}push/events`; false when the page cannot (no server extension, not
 * a Jupyter page); throws the server's refusal.
 * @param {string} channel
 * @param {unknown} data
 */
async function sendThroughServer(channel, data) {
  const config = pageConfig();
  if (typeof config.baseUrl !== 'string') {
    return false;
  }
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (config.token) {
    headers.Authorization = `token ${config.token}`;
  }
  const xsrf = cookie('_xsrf');
  if (xsrf) {
    headers['X-XSRFToken'] = xsrf;
  }
  let response;
  try {
    response = await fetch(new URL(`${config.baseUrl}push/events`, location.href), {
      method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify({ channel, data })
    });
  } catch {
    return false;
  }
  if (response.status === 404) {
    return false;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message || `refused (${response.status})`);
  }
  return true;
}

/** @param {{ model: any, el: HTMLElement }} view */
function render({ model, el }) {
  ensureStyles(document);
  el.classList.add('jpp-widget');
  /** @type {(channel: string, data: any) => Promise<void>} */
  const send = async (channel, data) => {
    if (!(await sendThroughServer(channel, data))) {
      model.send({ set: data });
    }
  };
  const channel = `$controls/${model.get('channel')}`;
  const card = new Card({ channel, kind: 'control', send });
  card.node.classList.add('jpp-control');
  el.append(card.node);
  return follow(model, ['declaration'], () => {
    card.push({ channel, data: model.get('declaration'), time: Date.now() / 1000 });
  });
}

export default { render };
