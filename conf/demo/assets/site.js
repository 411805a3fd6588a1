/*
 * LatinAmerican Post demo: the site's own script. First-party and
 * necessary for the page's small conveniences (reading time, menu,
 * read-aloud, copy link); it sets no cookie and sends nothing, so it is
 * never gated.
 */
(function () {
  'use strict';

  var root = document.documentElement;
  var spanish = (root.getAttribute('lang') || '').indexOf('es') === 0;

  root.classList.add('js');

  function text(en, es) {
    return spanish ? es : en;
  }

  /* estimated reading time, from the article's own words */
  function readingTime() {
    var body = document.getElementById('story-body');
    var out = document.querySelector('[data-reading-time]');
    if (!body || !out) {
      return;
    }
    var words = (body.textContent.match(/\S+/g) || []).length;
    var minutes = Math.max(1, Math.round(words / 230));
    out.textContent = minutes + text(' min read', ' min de lectura');
    out.hidden = false;
  }

  /* section menu on small screens */
  function menu() {
    var button = document.querySelector('.menu-toggle');
    var nav = document.getElementById('sections');
    if (!button || !nav) {
      return;
    }
    var small = window.matchMedia('(max-width: 640px)');

    function set(open) {
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      nav.classList.toggle('is-collapsed', !open);
    }

    set(!small.matches);
    button.addEventListener('click', function () {
      set(button.getAttribute('aria-expanded') !== 'true');
    });
    if (small.addEventListener) {
      small.addEventListener('change', function (e) { set(!e.matches); });
    }
  }

  /* "Listen to this article": the browser's own speech synthesis */
  function listen() {
    var button = document.querySelector('[data-listen]');
    var body = document.getElementById('story-body');
    if (!button || !body || !('speechSynthesis' in window)) {
      return;
    }
    var label = button.querySelector('[data-listen-label]');
    var idle = label.textContent;
    var synth = window.speechSynthesis;

    function reset() {
      label.textContent = idle;
      button.setAttribute('aria-pressed', 'false');
    }

    button.hidden = false;
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', function () {
      if (synth.speaking) {
        synth.cancel();
        reset();
        return;
      }
      var heading = document.querySelector('.story h1');
      var paragraphs = body.querySelectorAll('p:not(.crosslink), h2');
      var parts = [heading ? heading.textContent : ''];
      for (var i = 0; i < paragraphs.length; i++) {
        parts.push(paragraphs[i].textContent);
      }
      var utterance = new SpeechSynthesisUtterance(parts.join('\n\n'));
      utterance.lang = spanish ? 'es-ES' : 'en-US';
      utterance.onend = reset;
      utterance.onerror = reset;
      label.textContent = text('Stop listening', 'Detener lectura');
      button.setAttribute('aria-pressed', 'true');
      synth.speak(utterance);
    });
  }

  /* copy the article's address */
  function copyLink() {
    var links = document.querySelectorAll('[data-copy-link]');
    Array.prototype.forEach.call(links, function (a) {
      a.addEventListener('click', function (e) {
        if (!navigator.clipboard) {
          return;
        }
        e.preventDefault();
        navigator.clipboard.writeText(window.location.href).then(function () {
          a.textContent = text('Link copied', 'Enlace copiado');
        });
      });
    });
  }

  /* the newsletter form is a demo: it sends nothing */
  function newsletter() {
    var form = document.querySelector('[data-newsletter]');
    if (!form) {
      return;
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var note = form.querySelector('[data-newsletter-note]');
      if (note) {
        note.hidden = false;
      }
    });
  }

  function start() {
    readingTime();
    menu();
    listen();
    copyLink();
    newsletter();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
