/* a first-party script: never gated; records that it ran */
(window.__firstParty = window.__firstParty || []).push(location.pathname);
