const E=186,H=[186],B={186:((C,u,l)=>{l.r(u),l.d(u,{run:()=>Y});var m=l(7268),v=l(7185),y=l(5217),a=l(3862),h=l(5875),d=l(1003),w=l(615);function p(e){const r=[];let n=e;for(const[c,o]of[["d",86400],["h",3600],["min",60],["s",1]])n>=o&&(r.push(`${Math.floor(n/o)} ${c}`),n%=o);return r.join(" ")||"0 s"}function x(e){const r=e.type==="cron"?`${(0,h.MX)(e.schedule)} (${(0,a.aY)(e.cron)})`:`Every ${p(e.intervalSeconds)}`,n=[e.start?`from ${(0,d.a)(e.start)}`:"",e.end?`until ${(0,d.a)(e.end)}`:""].filter(Boolean).join(" ");return n?`${r}, ${n}`:r}function T(e,r,n=3){const c=e.start&&e.start.getTime()>r.getTime()?e.start:r;let o;if(e.type==="cron")o=(0,h.mZ)(e.schedule,n,c);else{if(!e.start||e.start.getTime()<=r.getTime())return;o=Array.from({length:n},(i,t)=>new Date(e.start.getTime()+(t+1)*e.intervalSeconds*1e3))}return o.filter(i=>!e.end||i.getTime()<=e.end.getTime())}function S(e,r){if(!e.enabled)return"\u2014 (disabled)";const n=T(e.trigger,r);return n===void 0?`every ${p(e.trigger.intervalSeconds)} after each new version is created`:n.length===0?"none (end_date passed)":n.map(d.a).join("<br>")}function b(e,r){const n=e.diagnostics.filter(t=>t.severity!=="warning"),c=e.diagnostics.filter(t=>t.severity==="warning"),o=e.namespaces.reduce((t,s)=>t+s.jobs.length,0);let i=n.length?`## \u274C Schedule configs: ${n.length} error(s)

`:`## \u2705 Schedule configs are valid: ${o} schedule(s) in ${e.namespaces.length} folder(s)

`;c.length&&(i+=`${c.length} warning(s) below.

`);for(const t of e.namespaces){if(i+=`### ${(0,a.aY)(t.namespace)} (${(0,a.aY)(t.folder)})

`,i+=`Experiments: ${t.experiments.map(s=>(0,a.aY)(s.name)).join(", ")||"none"}.

`,t.jobs.length===0){i+=`No valid schedules.

`;continue}i+=(0,a.tp)(["schedule","experiment","pipeline","trigger","next runs (UTC)","enabled","keep_history"],t.jobs.map(s=>[(0,a.aY)(s.name),s.experiment,`${s.pipeline.name} (KFP ${s.pipeline.kind})<br>${(0,a.aY)((0,w.B)(s.pipeline.source))}`,x(s.trigger),S(s,r),s.enabled?"yes":"no",s.keepHistory===-1?"all":s.keepHistory===0?"newest only":`newest + ${s.keepHistory}`])),i+=`
`}return e.diagnostics.length&&(i+=`### Problems

`,i+=(0,a.tp)(["","where","problem","fix"],e.diagnostics.map(t=>[t.severity==="warning"?"\u26A0\uFE0F":"\u274C",t.location?(0,a.aY)((0,m.j$)(t.location)):"",t.message,t.fix??""]))),(0,a.xv)(i,a.Jt-1024,"summary truncated")}async function Y(e){const{inputs:r,host:n,env:c}=e,o=r.list("config-folders");o.length===0&&r.required("config-folders");const i=r.optional("github-token")??c.GITHUB_TOKEN,t=new Date,{state:s}=await n.group(`Checking config folder(s): ${o.join(", ")}`,()=>(0,y.a)(e,{patterns:o,token:i,now:t})),g=s.diagnostics.filter(f=>f.severity!=="warning").length,$=s.namespaces.reduce((f,D)=>f+D.jobs.length,0);if((0,v.D)(n,s.diagnostics),n.setOutput("errors",String(g)),n.setOutput("schedules",String($)),await n.appendSummary(b(s,t)),g>0)throw new m.EC(`${g} error(s) in the schedule configs. See the annotations and the job summary.`);n.info(`${$} schedule(s) in ${s.namespaces.length} config folder(s) are valid.`)}})};export{E as id,H as ids,B as modules};
