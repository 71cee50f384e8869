import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IStateDB } from '@jupyterlab/statedb';

import { PushConnection } from './connection';
import { Dashboard } from './dashboard';
import { pulseIcon } from './icons';
import { openKernelNotebook, openSource } from './jump';
import { showToast, toastFor } from './notifications';
import { LayoutStore } from './layoutstore';
import { showDashboard } from './placement';
import { ChannelSidebar } from './sidebar';
import { CommandIDs, IPushConnection } from './tokens';

export { IPushConnection } from './tokens';

const connectionPlugin: JupyterFrontEndPlugin<IPushConnection> = {
  id: 'jupyter-push:connection',
  description: 'One shared connection to the jupyter_push event stream.',
  autoStart: true,
  provides: IPushConnection,
  activate: (app: JupyterFrontEnd): IPushConnection => {
    const connection = new PushConnection(app.serviceManager.serverSettings);
    connection.start();
    return connection;
  }
};

const dashboardPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-push:dashboard',
  description: 'The Live Dashboard panel.',
  autoStart: true,
  requires: [IPushConnection],
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, IStateDB, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    connection: IPushConnection,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
    labShell: ILabShell | null
  ): void => {
    const store = new LayoutStore(state);
    const tracker = new WidgetTracker<Dashboard>({ namespace: 'jupyter-push-dashboard' });
    let dashboard: Dashboard | null = null;

    app.commands.addCommand(CommandIDs.open, {
      label: args => (args.isLauncher ? 'Live Dashboard' : 'Open Live Dashboard'),
      caption: 'Live values of jupyter_push channels',
      icon: pulseIcon,
      execute: args => {
        if (!dashboard || dashboard.isDisposed) {
          dashboard = new Dashboard(
            connection,
            store,
            source => void openSource(app, source),
            (kernelId, notebook) => void openKernelNotebook(app, kernelId, notebook)
          );
          void tracker.add(dashboard);
        }
        showDashboard(app, labShell, dashboard);
        if (typeof args.channel === 'string') {
          dashboard.reveal(args.channel);
        }
        return dashboard;
      }
    });
    palette?.addItem({ command: CommandIDs.open, category: 'Live Events' });
    launcher?.add({ command: CommandIDs.open, category: 'Other', rank: 1 });
    if (restorer) {
      void restorer.restore(tracker, { command: CommandIDs.open, name: () => 'dashboard' });
    }
  }
};

const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-push:notifications',
  description: 'Toasts for notify(): a JupyterLab notification per $notify event.',
  autoStart: true,
  requires: [IPushConnection],
  activate: (app: JupyterFrontEnd, connection: IPushConnection): void => {
    const since = Date.now() / 1000;
    connection.received.connect((_, events) => {
      for (const event of events) {
        const toast = toastFor(event, since);
        if (toast) {
          showToast(toast, source => void openSource(app, source));
        }
      }
    });
  }
};

const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-push:sidebar',
  description: 'Lists live channels in the left sidebar.',
  autoStart: true,
  requires: [IPushConnection],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, connection: IPushConnection, restorer: ILayoutRestorer | null): void => {
    const sidebar = new ChannelSidebar(connection, app.commands);
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);
  }
};

export default [connectionPlugin, dashboardPlugin, sidebarPlugin, notificationsPlugin];
