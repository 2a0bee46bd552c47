"""The seed's training code (shared/SEED.md) with only the import changed.

Run as a real process by test_seed_workflow.py. Writes what it logged to ``expected.json``
so the test can compare it with what the server stored.
"""

import json
import sys

import torch
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score, f1_score

import epochal as wandb

out_path = sys.argv[1]
digits = load_digits()
x = torch.tensor(digits.data[:400], dtype=torch.float32) / 16.0
y = torch.tensor(digits.target[:400])
x_val, y_val = x[300:], y[300:]
x_train, y_train = x[:300], y[:300]
expected = {"runs": []}

for learning_rate in (1e-2, 3e-2):
    torch.manual_seed(0)
    my_model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    wandb.init(
        project="seed-project",
        config={
            "learning_rate": learning_rate,
            "net": "CNN3 (skip-connection, sum)",
            "params": sum(p.numel() for p in my_model.parameters() if p.requires_grad),
        },
    )
    optimizer = torch.optim.Adam(my_model.parameters(), lr=learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    acc_train, acc_val, rows = [], [], []
    for epoch in range(5):
        logits = my_model(x_train)
        loss = loss_fn(logits, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        acc_train.append(float((logits.argmax(1) == y_train).float().mean()))
        with torch.no_grad():
            val_logits = my_model(x_val)
            loss_val = loss_fn(val_logits, y_val)
            acc_val.append(float((val_logits.argmax(1) == y_val).float().mean()))
        row = {
            "train loss": loss.item(),
            "train acc": acc_train[-1],
            "val loss": loss_val.item(),
            "val acc": acc_val[-1],
        }
        wandb.log(row)
        rows.append(row)
    mispredicted = [x_val[i].reshape(1, 8, 8) for i in range(3)]
    wandb.log({"val\\test misprediction": [wandb.Image(img) for img in mispredicted]})
    wandb.log({"single image": wandb.Image(mispredicted[0].numpy()[0])})
    torch.save(my_model.state_dict(), "model.h5")
    wandb.save("model.h5")
    ypred = my_model(x_val).argmax(1).numpy()
    wandb.run.summary["accuracy"] = accuracy_score(y_val.numpy(), ypred)
    wandb.run.summary["f1"] = f1_score(y_val.numpy(), ypred, average="macro")
    with open("model.h5", "rb") as model_file:
        model_bytes = model_file.read().hex()
    expected["runs"].append(
        {
            "id": wandb.run.id,
            "entity": wandb.run.entity,
            "config": dict(wandb.config),
            "rows": rows,
            "accuracy": wandb.run.summary["accuracy"],
            "f1": wandb.run.summary["f1"],
            "model": model_bytes,
            "images": [img.numpy().tolist() for img in mispredicted],
        }
    )
    if learning_rate == 1e-2:
        continue  # the next init finishes this run, as in wandb
    wandb.sdk.wandb_run.finish()

with open(out_path, "w") as handle:
    json.dump(expected, handle)
