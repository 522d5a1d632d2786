
(function(){
  var table=document.getElementById('ranked'); if(!table){return;}
  var body=table.tBodies[0], heads=table.tHead.rows[0].cells, filter=document.getElementById('ranked-filter');
  var status=document.getElementById('ranked-status'), review=document.getElementById('review-filter');
  function cellValue(row,i){var c=row.cells[i]; var v=c.getAttribute('data-v'); return v===null?c.textContent:v;}
  function sortBy(i){
    var dir=heads[i].getAttribute('aria-sort')==='descending'?1:-1;
    for(var h=0;h<heads.length;h++){heads[h].removeAttribute('aria-sort');}
    heads[i].setAttribute('aria-sort',dir===1?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){var x=cellValue(a,i),y=cellValue(b,i),nx=parseFloat(x),ny=parseFloat(y);
      if(!isNaN(nx)&&!isNaN(ny)){return dir*(nx-ny);} return dir*x.localeCompare(y);});
    rows.forEach(function(r){body.appendChild(r);});
  }
  function applyFilter(){
    var q=(filter.value||'').toLowerCase(), want=review?review.value:'', shown=0;
    Array.prototype.forEach.call(body.rows,function(r){
      var ok=r.textContent.toLowerCase().indexOf(q)>=0 && (!want||r.getAttribute('data-review')===want);
      r.hidden=!ok; if(ok){shown++;}});
    status.textContent=shown+' of '+body.rows.length+' accounts shown';
  }
  for(var i=0;i<heads.length;i++){(function(i){heads[i].addEventListener('click',function(){sortBy(i);});
    heads[i].setAttribute('tabindex','0');})(i);}
  filter.addEventListener('input',applyFilter); if(review){review.addEventListener('change',applyFilter);}
  table.setAttribute('data-ready','1'); applyFilter();
})();
