// Loaded (deferred) just before Bootstrap Italia's bundle.
// The bundle contains video.js, which inserts <style> elements as soon as it runs: the Content Security
// Policy (style-src-elem 'self') blocks them and every page logs errors. No page here needs video.js's
// dynamic player sizing, so it is switched off.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
