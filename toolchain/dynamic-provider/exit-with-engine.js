// Preloaded into the dynamic provider (node -r): once its parent, the Pulumi engine, is gone (the
// process is handed to another parent), nothing is left to answer to, so it exits within a second.
const engine = process.ppid;
setInterval(() => {
    if (process.ppid !== engine) process.exit(1);
}, 1000).unref();
