/*
 * LatinAmerican Post demo: a first-party "analytics" script. The page marks
 * it with data-consent="analytics", so it runs only once the visitor has
 * allowed analytics. It collects nothing and sends nothing; it only leaves
 * a flag that tests and curious visitors can check in the console.
 */
(function () {
  'use strict';
  window.localStatsLoaded = true;
}());
