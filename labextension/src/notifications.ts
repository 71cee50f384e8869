/**
 * Toasts for `notify()`: each `$notify` event becomes a JupyterLab notification (the
 * `Notification` API of @jupyterlab/apputils) at its level, with a button back to the notebook
 * that sent it. Notifications older than the page (retained, replayed) are not shown again.
 */

import { Notification } from '@jupyterlab/apputils';

import { PushEvent, PushSource } from './protocol';

const LEVELS = ['info', 'success', 'warning', 'error'] as const;
type Level = (typeof LEVELS)[number];
/** Seconds a notification may predate the page and still be shown (clock skew). */
const GRACE = 30;

export interface Toast {
  message: string;
  level: Level;
  source?: PushSource;
}

/** The toast for an event, or null (not a notification, or from before `since`). */
export function toastFor(event: PushEvent, since: number): Toast | null {
  if (event.channel !== '$notify' || event.time < since - GRACE) {
    return null;
  }
  const data = event.data as { message?: unknown; level?: unknown } | null;
  if (!data || typeof data !== 'object' || typeof data.message !== 'string') {
    return null;
  }
  const level = LEVELS.includes(data.level as Level) ? (data.level as Level) : 'info';
  return { message: data.message, level, source: event.source };
}

export function showToast(toast: Toast, open: (source: PushSource) => void): string {
  const actions = toast.source?.path
    ? [{ label: `Open ${toast.source.path.split('/').pop()}`, callback: () => open(toast.source as PushSource) }]
    : [];
  return Notification.emit(toast.message, toast.level, {
    autoClose: toast.level === 'error' || toast.level === 'warning' ? false : 8000,
    actions
  });
}
