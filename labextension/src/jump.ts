/**
 * The jump from an event to where it came from: open the notebook that pushed it and select and
 * scroll to the cell (the event's `source.cell`, JupyterLab's cell id).
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

import { PushSource } from './protocol';

/** The part of a notebook panel the jump uses (no dependency on @jupyterlab/notebook). */
interface NotebookLike {
  widgets: readonly { model: { id: string } }[];
  activeCellIndex: number;
  deselectAll(): void;
  scrollToItem?(index: number): Promise<void>;
  activeCell?: { node: HTMLElement } | null;
}

interface DocumentLike {
  context?: { ready: Promise<void> };
  revealed?: Promise<void>;
  content?: unknown;
}

/** Where an event's source badge leads: the notebook's path and, when known, the cell. */
export function sourceLabel(source: PushSource | undefined): string | null {
  if (!source?.path) {
    return null;
  }
  return typeof source.execution_count === 'number' ? `[${source.execution_count}]` : 'cell';
}

/**
 * The notebook's path as the contents API names it: the session of the kernel that pushed
 * (a kernel's own idea of its path may be a path on the server's disk).
 */
export function notebookPath(
  source: PushSource,
  sessions: Iterable<{ path: string; kernel?: { id: string } | null }>
): string | null {
  for (const session of sessions) {
    if (source.kernel && session.kernel?.id === source.kernel) {
      return session.path;
    }
  }
  return source.path ?? null;
}

/**
 * A path on the server's disk (what a kernel may report) as a contents API path, relative to the
 * server's root; an API path stays as it is; null for a file outside the root.
 */
export function relativeToRoot(path: string, serverRoot: string): string | null {
  const isAbsolute = path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
  if (!isAbsolute) {
    return path.replace(/^\.\//, '');
  }
  if (!serverRoot) {
    return null; // the root is not known: no way to tell where the file is
  }
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const root = norm(serverRoot); // '' for the file system's root
  const file = norm(path);
  return file.startsWith(root + '/') ? file.slice(root.length + 1) : null;
}

/**
 * The notebook of a kernel group's header, to open: the kernel's session when it still runs,
 * else the path the kernel's state names (relative to the server's root).
 */
export function kernelNotebookPath(
  kernelId: string,
  notebook: string,
  sessions: Iterable<{ path: string; kernel?: { id: string } | null }>,
  serverRoot: string
): string | null {
  for (const session of sessions) {
    if (session.kernel?.id === kernelId) {
      return session.path;
    }
  }
  return relativeToRoot(notebook, serverRoot);
}

/** Open the notebook of a kernel group's header. */
export async function openKernelNotebook(app: JupyterFrontEnd, kernelId: string, notebook: string): Promise<boolean> {
  const path = kernelNotebookPath(
    kernelId,
    notebook,
    app.serviceManager.sessions.running(),
    PageConfig.getOption('serverRoot')
  );
  if (!path) {
    return false;
  }
  await app.commands.execute('docmanager:open', { path });
  return true;
}

export async function openSource(app: JupyterFrontEnd, source: PushSource): Promise<boolean> {
  const path = notebookPath(source, app.serviceManager.sessions.running());
  if (!path) {
    return false;
  }
  const widget = (await app.commands.execute('docmanager:open', { path })) as DocumentLike | undefined;
  await widget?.context?.ready;
  await widget?.revealed;
  const notebook = widget?.content as NotebookLike | undefined;
  if (!source.cell || !notebook || !Array.isArray(notebook.widgets)) {
    return false;
  }
  const index = notebook.widgets.findIndex(cell => cell.model.id === source.cell);
  if (index < 0) {
    return false;
  }
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  if (notebook.scrollToItem) {
    await notebook.scrollToItem(index);
  } else {
    notebook.activeCell?.node.scrollIntoView({ block: 'center' });
  }
  return true;
}
