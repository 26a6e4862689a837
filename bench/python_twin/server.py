"""The Python twin, reproduced minimally for `make bench`: FastAPI + Mangum + boto3,
the same routes, JSON fields and file memory as the app the Swift runtime replaces.

One change from the original: the persona goes in Converse's `system` field. The
original sent it as a fake first user turn, which makes two user turns in a row once
there is history, and Converse (like the benchmark's strict fake) rejects that."""
import json
import os
import uuid
from datetime import datetime
from typing import Dict, List, Optional

import boto3
from botocore.exceptions import ClientError
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()
origins = os.getenv("CORS_ORIGINS", "http://localhost:3000").split(",")
app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=False,
                   allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"])

bedrock_client = boto3.client(service_name="bedrock-runtime", region_name=os.getenv("DEFAULT_AWS_REGION", "us-east-1"))
BEDROCK_MODEL_ID = os.getenv("BEDROCK_MODEL_ID", "amazon.nova-lite-v1:0")
USE_S3 = os.getenv("USE_S3", "false").lower() == "true"
MEMORY_DIR = os.getenv("MEMORY_DIR", "../memory")
SYSTEM_PROMPT = os.getenv("SYSTEM_PROMPT", "You are a digital twin.")


class ChatRequest(BaseModel):
    message: str
    session_id: Optional[str] = None


class ChatResponse(BaseModel):
    response: str
    session_id: str


def load_conversation(session_id: str) -> List[Dict]:
    path = os.path.join(MEMORY_DIR, f"{session_id}.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return []


def save_conversation(session_id: str, messages: List[Dict]) -> None:
    os.makedirs(MEMORY_DIR, exist_ok=True)
    with open(os.path.join(MEMORY_DIR, f"{session_id}.json"), "w") as f:
        json.dump(messages, f, indent=2)


def call_bedrock(conversation: List[Dict], user_message: str) -> str:
    messages = []
    for msg in conversation[-50:]:
        messages.append({"role": msg["role"], "content": [{"text": msg["content"]}]})
    messages.append({"role": "user", "content": [{"text": user_message}]})
    try:
        response = bedrock_client.converse(modelId=BEDROCK_MODEL_ID, messages=messages, system=[{"text": SYSTEM_PROMPT}],
                                           inferenceConfig={"maxTokens": 2000, "temperature": 0.7, "topP": 0.9})
        return response["output"]["message"]["content"][0]["text"]
    except ClientError as e:
        raise HTTPException(status_code=500, detail=f"Bedrock error: {e}")


@app.get("/")
async def root():
    return {"message": "AI Digital Twin API (Powered by AWS Bedrock)", "memory_enabled": True,
            "storage": "S3" if USE_S3 else "local", "ai_model": BEDROCK_MODEL_ID}


@app.get("/health")
async def health_check():
    return {"status": "healthy", "use_s3": USE_S3, "bedrock_model": BEDROCK_MODEL_ID}


@app.post("/chat", response_model=ChatResponse)
async def chat(request: ChatRequest):
    session_id = request.session_id or str(uuid.uuid4())
    conversation = load_conversation(session_id)
    assistant_response = call_bedrock(conversation, request.message)
    conversation.append({"role": "user", "content": request.message, "timestamp": datetime.now().isoformat()})
    conversation.append({"role": "assistant", "content": assistant_response, "timestamp": datetime.now().isoformat()})
    save_conversation(session_id, conversation)
    return ChatResponse(response=assistant_response, session_id=session_id)


@app.get("/conversation/{session_id}")
async def get_conversation(session_id: str):
    return {"session_id": session_id, "messages": load_conversation(session_id)}


handler = Mangum(app)
