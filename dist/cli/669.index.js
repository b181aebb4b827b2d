const A=669,I=[669],R={9669:((w,l,n)=>{n.r(l),n.d(l,{runGitHubEmulatorCli:()=>E});var h=n(6760),f=n.n(h),m=n(9394),g=n(3853);const u=`Usage: kfp-gitops github-emulator [--port N] [--repo OWNER/NAME[=DIR]]... [--allow-auto-merge] [--login NAME]

Serve an emulator of the GitHub API on 127.0.0.1 until interrupted: the REST routes the toolkit calls
(contents, git database, pull requests, comments, labels, reviewers, check runs, statuses, workflow runs)
and GraphQL auto-merge, with git objects hashed as git hashes them. Give the printed URL to actions as
GITHUB_API_URL (CLI: environment variable), e.g. to try open-model-pr without touching github.com.

  --port N                   port to listen on (0 = any free port; default 3000)
  --repo OWNER/NAME[=DIR]    serve a repository; with =DIR its default branch holds the files committed
                             at HEAD of the git repository DIR (repeatable)
  --allow-auto-merge         the repositories allow auto-merge (Settings \u2192 "Allow auto-merge")
  --login NAME               who requests act as (default github-actions[bot])`;async function E(a){const c=[];let d=3e3,i,p=!1;for(let e=0;e<a.length;e++){const o=a[e];if(o==="--help"||o==="-h")return process.stdout.write(u+`
`),0;if(o==="--allow-auto-merge"){p=!0;continue}const r=/^--(port|repo|login)(?:=(.*))?$/.exec(o),t=r?.[2]??a[e+1];if(!r||t===void 0)return process.stderr.write(`error: ${r?`flag '${o}' needs a value`:`unknown argument '${o}'`}

${u}
`),2;if(r[2]===void 0&&e++,r[1]==="repo")c.push(t);else if(r[1]==="login")i=t;else if(/^\d+$/.test(t))d=Number(t);else return process.stderr.write(`error: --port must be a whole number (got "${t}")
`),2}let s;try{s=await(0,g.f)({port:d,recordRequests:!1,...i?{login:i}:{}});for(const e of c){const[o,r]=e.split(/=(.*)/s);if(!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(o))throw new Error(`--repo must be OWNER/NAME or OWNER/NAME=DIR (got "${e}")`);const t=r?await(0,m.p)(f().resolve(r)):void 0;s.createRepo(o,{allowAutoMerge:p,...t?{files:t.files,defaultBranch:t.branch}:{}}),process.stdout.write(`  ${o}${t?`: ${Object.keys(t.files).length} files from ${r} (${t.branch})`:""}
`)}}catch(e){return await s?.close(),process.stderr.write(`error: cannot start the GitHub emulator: ${e.message}
`),1}return process.stdout.write(`GitHub API emulator listening at ${s.url} (GITHUB_API_URL=${s.url})
`),await new Promise(e=>{process.once("SIGINT",e),process.once("SIGTERM",e)}),await s.close(),process.stdout.write(`GitHub API emulator stopped after ${s.served} requests.
`),0}})};export{A as id,I as ids,R as modules};
