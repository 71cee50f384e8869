/**
 * Where the dashboard goes. JupyterLab: a main-area tab. Notebook 7 keeps one main widget per
 * page, so there it becomes a tab beside Files/Running on the tree page, or a right side panel
 * next to a notebook.
 */

import { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import { TabPanel, Widget } from '@lumino/widgets';

export function showDashboard(app: JupyterFrontEnd, labShell: ILabShell | null, widget: Widget): void {
  if (labShell) {
    if (!widget.isAttached) {
      labShell.add(widget, 'main');
    }
    labShell.activateById(widget.id);
    return;
  }
  const main = app.shell.widgets('main').next().value as Widget | undefined;
  if (main instanceof TabPanel) {
    if (!main.widgets.includes(widget)) {
      main.addWidget(widget);
    }
    main.currentWidget = widget;
    return;
  }
  if (!widget.isAttached) {
    app.shell.add(widget, 'right', { rank: 100 });
  }
  app.shell.activateById(widget.id);
}
