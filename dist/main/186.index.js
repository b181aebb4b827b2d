const E=186,H=[186],B={186:((C,u,l)=>{l.r(u),l.d(u,{run:()=>b});var m=l(7268),v=l(7185),y=l(5217),i=l(3862),h=l(5875),d=l(1003),w=l(615);function p(e){const r=[];let n=e;for(const[c,a]of[["d",86400],["h",3600],["min",60],["s",1]])n>=a&&(r.push(`${Math.floor(n/a)} ${c}`),n%=a);return r.join(" ")||"0 s"}function x(e){const r=e.type==="cron"?`${(0,h.MX)(e.schedule)} (${(0,i.aY)(e.cron)})`:`Every ${p(e.intervalSeconds)}`,n=[e.start?`from ${(0,d.a)(e.start)}`:"",e.end?`until ${(0,d.a)(e.end)}`:""].filter(Boolean).join(" ");return n?`${r}, ${n}`:r}function T(e,r,n=3){const c=e.start&&e.start.getTime()>r.getTime()?e.start:r;let a;if(e.type==="cron")a=(0,h.mZ)(e.schedule,n,c);else{if(!e.start||e.start.getTime()<=r.getTime())return;a=Array.from({length:n},(o,t)=>new Date(e.start.getTime()+(t+1)*e.intervalSeconds*1e3))}return a.filter(o=>!e.end||o.getTime()<=e.end.getTime())}function S(e,r){if(!e.enabled)return"\u2014 (disabled)";const n=T(e.trigger,r);return n===void 0?`every ${p(e.trigger.intervalSeconds)} after each new version is created`:n.length===0?"none (end_date passed)":n.map(d.a).join("<br>")}function Y(e,r){const n=e.diagnostics.filter(t=>t.severity!=="warning"),c=e.diagnostics.filter(t=>t.severity==="warning"),a=e.namespaces.reduce((t,s)=>t+s.jobs.length,0);let o=n.length?`## \u274C Schedule configs: ${n.length} error(s)

`:`## \u2705 Schedule configs are valid: ${a} schedule(s) in ${e.namespaces.length} folder(s)

`;c.length&&(o+=`${c.length} warning(s) below.

`);for(const t of e.namespaces){if(o+=`### ${(0,i.aY)(t.namespace)} (${(0,i.aY)(t.folder)})

`,o+=`Experiments: ${t.experiments.map(s=>(0,i.aY)(s.name)).join(", ")||"none"}.

`,t.jobs.length===0){o+=`No valid schedules.

`;continue}o+=(0,i.tp)(["schedule","experiment","pipeline","trigger","next runs (UTC)","enabled","keep_history"],t.jobs.map(s=>[(0,i.aY)(s.name),(0,i.aY)(s.experiment),`${(0,i.Qq)(s.pipeline.name)} (KFP ${s.pipeline.kind})<br>${(0,i.aY)((0,w.B)(s.pipeline.source))}`,x(s.trigger),S(s,r),s.enabled?"yes":"no",s.keepHistory===-1?"all":s.keepHistory===0?"newest only":`newest + ${s.keepHistory}`])),o+=`
`}return e.diagnostics.length&&(o+=`### Problems

`,o+=(0,i.tp)(["","where","problem","fix"],e.diagnostics.map(t=>[t.severity==="warning"?"\u26A0\uFE0F":"\u274C",t.location?(0,i.aY)((0,m.j$)(t.location)):"",(0,i.Qq)(t.message),(0,i.Qq)(t.fix??"")]))),(0,i.xv)(o,i.Jt-1024,"summary truncated")}async function b(e){const{inputs:r,host:n,env:c}=e,a=r.list("config-folders");a.length===0&&r.required("config-folders");const o=r.optional("github-token")??c.GITHUB_TOKEN,t=new Date,{state:s}=await n.group(`Checking config folder(s): ${a.join(", ")}`,()=>(0,y.a)(e,{patterns:a,token:o,now:t})),g=s.diagnostics.filter(f=>f.severity!=="warning").length,$=s.namespaces.reduce((f,D)=>f+D.jobs.length,0);if((0,v.D)(n,s.diagnostics),n.setOutput("errors",String(g)),n.setOutput("schedules",String($)),await n.appendSummary(Y(s,t)),g>0)throw new m.EC(`${g} error(s) in the schedule configs. See the annotations and the job summary.`);n.info(`${$} schedule(s) in ${s.namespaces.length} config folder(s) are valid.`)}})};export{E as id,H as ids,B as modules};
