"""Word lists of the digest: words that carry no topic, and words that only describe one."""

from __future__ import annotations

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he her here hers herself him himself his how i i'd i'll i'm i've if
    in into is isn't it it's its itself let's lets me more most mustn't my myself no nor not
    of off on once only or other ought our ours ourselves out over own same shan't she
    should shouldn't so some such than that that's the their theirs them themselves then
    there there's these they this those through to too under until up very was wasn't we
    we'd we'll we're we've were weren't what what's when where which while who whom why with
    won't would wouldn't you you'd you'll you're you've your yours yourself please thanks
    thank ok okay yes yeah hi hello hey good morning evening night just now today tomorrow
    yesterday still also maybe really actually need needs want wants like get got go going
    make made let know think see look check tell say said run use used new one two three
    first last next any anything something thing things way well sure right done will shall
    may might must can't noted result tool finished relevant verify file files remind write
    down what's which whether
    """.split()
)

# Words that describe rather than name: they end a topic phrase ("nice garden design" gives
# "garden design"), as stop-words do.
DESCRIBING = frozenset(
    """
    new old good bad better best worse worst great nice fine big small large little long short
    high low quick quickly fast slow simple easy hard difficult possible impossible available
    able ready sure same different whole full empty current latest main real actual correct
    wrong clear true false important main whole entire previous next other another certain
    several many much few enough quite rather pretty very too completely fully already again
    currently probably basically simply exactly properly correctly successfully finally
    completed successful failed failing working broken fixed updated added removed created
    instead plain basic proper quick default optional
    """.split()
)
