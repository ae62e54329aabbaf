"""`salient serve`: the game in a web browser, fit for a classroom.

`access` decides who may connect (the access token, the page's origin, the trainee's name and folder),
`listen` opens the listening socket with a plain message when it cannot, and `server` runs textual-serve's
page and websocket through public APIs only, keeping a session process ready for the next browser.
Only `server` imports the web stack, so `salient --help` stays quick.
"""
