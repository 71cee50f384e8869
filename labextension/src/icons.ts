import { LabIcon } from '@jupyterlab/ui-components';

const pulseSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <path class="jp-icon3" fill="#616161" d="M3 13h4l2-6 4 12 3-9 1.5 3H21v-2h-2.3L16 6l-3 9-4-12-3.4 8H3z"/>
</svg>`;

export const pulseIcon = new LabIcon({ name: 'jupyter-push:pulse', svgstr: pulseSvg });
