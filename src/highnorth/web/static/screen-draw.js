// Drawing the activity's geometry on the map with Terra Draw (vendored from npm by
// scripts/vendor_terra_draw.sh): a point, a track (line string) or an area (polygon). One
// geometry at a time: when a drawing is finished it is handed to `onGeometry` and the drawing
// layer is cleared (the view draws the activity in its own layer). `edit(geometry)` hands a
// geometry back to Terra Draw's select mode (drag a vertex or the whole shape, drag a midpoint to
// add a vertex, right-click... as Terra Draw does); `done()` returns the edited geometry.
import {
  TerraDraw, TerraDrawLineStringMode, TerraDrawPointMode, TerraDrawPolygonMode, TerraDrawSelectMode,
} from './vendor/terra-draw/terra-draw.js';
import { TerraDrawMapLibreGLAdapter } from './vendor/terra-draw/terra-draw-maplibre-gl-adapter.js';

const INK = '#14273a';
const MODE_OF = { Point: 'point', LineString: 'linestring', Polygon: 'polygon' };
const EDITABLE = { draggable: true, coordinates: { midpoints: true, draggable: true, deletable: true } };

export function createDrawing(map, onGeometry) {
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new TerraDrawPointMode({ styles: { pointColor: INK, pointWidth: 6, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
      new TerraDrawLineStringMode({ styles: { lineStringColor: INK, lineStringWidth: 3, closingPointColor: INK } }),
      new TerraDrawPolygonMode({ styles: { fillColor: '#2f6f9f', fillOpacity: 0.2, outlineColor: INK, outlineWidth: 2 } }),
      new TerraDrawSelectMode({
        flags: { point: { feature: { draggable: true } }, linestring: { feature: EDITABLE }, polygon: { feature: EDITABLE } },
        styles: { selectedLineStringColor: '#b3261e', selectedPolygonOutlineColor: '#b3261e', selectionPointColor: '#b3261e' },
      }),
    ],
  });
  draw.start();
  let editing = null; // the id of the feature being edited
  draw.on('finish', (id) => {
    if (editing) return; // a vertex dragged in select mode: the edit goes on until done()
    const feature = draw.getSnapshot().find((f) => f.id === id);
    if (!feature) return;
    const geometry = structuredClone(feature.geometry);
    draw.clear();
    onGeometry(geometry);
  });
  return {
    mode(name) {
      editing = null;
      draw.clear();
      draw.setMode(name ?? 'static');
    },
    clear() {
      editing = null;
      draw.clear();
    },
    // Puts `geometry` (2D: Terra Draw edits longitude and latitude) up for editing, selected.
    edit(geometry) {
      draw.clear();
      draw.setMode('select');
      editing = crypto.randomUUID();
      const [result] = draw.addFeatures([{ id: editing, type: 'Feature', geometry, properties: { mode: MODE_OF[geometry.type] } }]);
      if (!result?.valid) {
        editing = null;
        draw.setMode('static');
        return result?.reason ?? 'this geometry cannot be edited on the map';
      }
      draw.selectFeature(editing);
      return null;
    },
    // The edited geometry (null when nothing was being edited); the drawing layer is cleared.
    done() {
      const feature = editing && draw.getSnapshot().find((f) => f.id === editing);
      editing = null;
      draw.clear();
      draw.setMode('static');
      return feature ? structuredClone(feature.geometry) : null;
    },
    get editing() {
      return editing !== null;
    },
  };
}
