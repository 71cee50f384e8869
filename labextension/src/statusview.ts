/** The connection state as a user sees it, in the panel and the sidebar. */

import { ConnectionStatus } from './stream';

const LABELS: Record<ConnectionStatus['phase'], string> = {
  connecting: 'connecting',
  open: 'live',
  retrying: 'reconnecting',
  missing: 'server extension missing',
  denied: 'not authorized',
  stopped: 'stopped'
};

export function statusLabel(status: ConnectionStatus, now = Date.now()): string {
  const label = LABELS[status.phase];
  if (status.retryAt !== undefined && status.phase !== 'open' && status.phase !== 'connecting') {
    const seconds = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
    return `${label}: retry in ${seconds}s`;
  }
  return label;
}

/** A small status badge: coloured dot + label, with the full message as tooltip. */
export class StatusBadge {
  readonly node = document.createElement('span');
  private readonly dot = document.createElement('span');
  private readonly label = document.createElement('span');

  constructor(private readonly onRetry: () => void) {
    this.node.className = 'jp-Push-status';
    this.dot.className = 'jp-Push-statusDot';
    this.label.className = 'jp-Push-statusLabel';
    this.node.append(this.dot, this.label);
    this.node.addEventListener('click', () => {
      if (this.node.dataset.phase !== 'open') {
        this.onRetry();
      }
    });
  }

  render(status: ConnectionStatus): void {
    this.node.dataset.phase = status.phase;
    this.label.textContent = statusLabel(status);
    this.node.title =
      status.phase === 'open' ? 'Connected to the event stream' : `${status.message} (click to retry now)`;
  }
}

/** The install hint, shown while the server extension is missing or access is refused. */
export function renderHint(node: HTMLElement, status: ConnectionStatus): void {
  const show = status.phase === 'missing' || status.phase === 'denied';
  node.hidden = !show;
  node.textContent = show ? status.message : '';
}
