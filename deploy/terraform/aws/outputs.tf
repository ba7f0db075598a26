output "ip" {
  description = "Public IPv4 address of the instance."
  value       = aws_instance.app.public_ip
}

output "url" {
  description = "The API and web UI (HTTP on port 80; put TLS in front for production)."
  value       = "http://${aws_instance.app.public_ip}/ui/"
}

output "ssh" {
  description = "Log in (the API token is in /opt/unetops/repo/deploy/.env)."
  value       = "ssh ubuntu@${aws_instance.app.public_ip}"
}
