/* first-party statistics, marked data-consent="analytics" in the pages */
(window.__trackerRuns = window.__trackerRuns || []).push('local:stats');
