/* Bastion's chart helpers (ECharts): axis labels that never overlap, on a 390 px phone as on
   a desktop. Labels stay level (easy to read, and a rotated one still collides at its ends):
   where a category is too narrow for its label, only every n-th label is shown (the tooltip
   names every bar); long Chinese organization names are truncated with "…" or laid beside
   horizontal bars. ECharts hides any label that would still touch its neighbour. */
(function () {
  "use strict";
  var FONT = 11; // px
  var GAP = 8; // px kept free between two labels

  function plotWidth(box, margins) {
    return Math.max((box.clientWidth || 320) - (margins || 60), 80);
  }

  // The drawn width of a label, near enough: CJK characters are square, others about 0.6 em.
  function textWidth(text) {
    var width = 0;
    for (var i = 0; i < text.length; i++) {
      width += text.charCodeAt(i) > 0x2e80 ? FONT : FONT * 0.6;
    }
    return width;
  }

  // A category axis under the plot (months, periods): show every n-th label so that each has
  // the room it needs. ``labels`` are the texts as drawn; ``margins`` the grid's left + right.
  function categoryAxis(box, labels, margins) {
    var slot = plotWidth(box, margins) / Math.max(labels.length, 1);
    var widest = Math.max.apply(null, labels.map(function (l) { return textWidth(String(l)); }).concat([0]));
    var step = Math.max(1, Math.ceil((widest + GAP) / slot));
    return {
      axisLabel: {
        interval: step - 1, hideOverlap: true, fontSize: FONT,
        width: Math.max(slot * step - GAP, 24), overflow: "truncate"
      },
      bottom: 28
    };
  }

  // Whether bars named after organizations should lie horizontally: too many, or too little
  // room under each for a name.
  function horizontal(box, count) {
    return count > 8 || plotWidth(box) / Math.max(count, 1) < 96;
  }

  // The width given to organization names beside horizontal bars: at most 160 px, at most
  // two fifths of the chart (a phone keeps room for the bars).
  function nameWidth(box) {
    return Math.round(Math.min(160, (box.clientWidth || 320) * 0.4));
  }

  window.BastionCharts = {categoryAxis: categoryAxis, horizontal: horizontal, nameWidth: nameWidth};
})();
