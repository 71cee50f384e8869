// The widgets' view modules import './tiles.js', the tile library joined to them when they are
// served (widgets/_base.py view_module); this names its types for the type check.
export * from '../../static/tiles/index.js';
