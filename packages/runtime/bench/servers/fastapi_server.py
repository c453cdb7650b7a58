# Peer baseline: FastAPI + uvicorn serving the same iris weights with the same envelope checks
# (pydantic: 1..64 instances of 4 numbers in [0, 100]). argv: port, variant ("asyncio" = uvicorn
# with asyncio + h11, "uvloop" = uvloop + httptools). Started by bench/run.js from Debian's packages.
import json
import math
import pathlib
import sys
from typing import List

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, confloat, conlist

MODEL = json.loads((pathlib.Path(__file__).resolve().parents[4] / 'examples/iris/model/iris-model.json').read_text())
LABELS = MODEL['labels']
MEANS, STDS, WEIGHTS, BIASES = MODEL['means'], MODEL['stds'], MODEL['weights'], MODEL['biases']

Feature = confloat(ge=0, le=100)


class Request(BaseModel):
    instances: conlist(conlist(Feature, min_items=4, max_items=4), min_items=1, max_items=64)

    class Config:
        extra = 'forbid'


def predict(instances: List[List[float]]):
    out = []
    for x in instances:
        z = [BIASES[k] + sum(WEIGHTS[k][j] * ((x[j] - MEANS[j]) / STDS[j]) for j in range(4)) for k in range(3)]
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        p = [v / s for v in e]
        best = max(range(3), key=lambda k: p[k])
        out.append({'label': LABELS[best], 'probabilities': p})
    return out


app = FastAPI()


@app.get('/ping')
def ping():
    return {'status': 'UP'}


@app.post('/invocations')
def invocations(body: Request):
    return {'predictions': predict(body.instances)}


if __name__ == '__main__':
    port = int(sys.argv[1])
    variant = sys.argv[2] if len(sys.argv) > 2 else 'asyncio'
    loop, http = ('uvloop', 'httptools') if variant == 'uvloop' else ('asyncio', 'h11')
    uvicorn.run(app, host='127.0.0.1', port=port, loop=loop, http=http, log_level='warning')
